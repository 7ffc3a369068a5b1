import type { FlowEvent } from '@ctscope/conntrack';
import { makeFlow } from '@ctscope/conntrack/testing';
import { CPU_COUNTER_KEYS, diagnosisSchema, type CpuStatsRow, type StatsSample } from '@ctscope/protocol';
import { validateRuleSpec } from '@ctscope/rules';
import { describe, expect, it } from 'vitest';
import type { MirrorEntry } from '../mirror/mirror';
import { createInsertFailedRaceDetector } from './insert-failed-race';

type Counters = Partial<Record<'insert_failed' | 'drop' | 'clash_resolve', number>>;

/** A host driven by hand: per-CPU counters (as `conntrack -S` would show them) and NEW events. */
function fakeHost(options: { local?: string[]; count?: number; max?: number; cpus?: number } = {}) {
  let sample: StatsSample | null = null;
  const listeners = new Set<(event: FlowEvent, entry: MirrorEntry) => void>();
  const cpus: Counters[] = Array.from({ length: options.cpus ?? 2 }, () => ({}));
  let sport = 30000;
  const detector = createInsertFailedRaceDetector({
    latestSample: () => sample,
    onEvent: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    localAddresses: () => options.local ?? ['127.0.0.1', '10.0.0.1'],
    now: 0,
  });
  return {
    detector,
    listeners,
    /** Adds to CPU `cpu`'s counters. */
    bump(cpu: number, add: Counters) {
      const c = cpus[cpu] as Counters;
      for (const [k, v] of Object.entries(add) as Array<[keyof Counters, number]>) c[k] = (c[k] ?? 0) + v;
    },
    /** A stats sample at `at` with the counters so far. */
    sample(at: number) {
      const rows = cpus.map((c, cpu) => {
        const row = { cpu } as CpuStatsRow;
        for (const key of CPU_COUNTER_KEYS) row[key] = 0;
        return { ...row, ...c };
      });
      sample = { at, count: options.count ?? 1_000, max: options.max ?? 262_144, cpu: rows, hooksActive: true };
    },
    /** `n` NEW UDP entries to `dst`:53 (DNAT'd to `to` when given), and one TCP entry that must not count. */
    dns(n: number, dst: string, to?: string) {
      for (let i = 0; i < n; i++) {
        const flow = makeFlow({ protoNum: 17, orig: { src: '10.0.0.1', dst, sport: sport++, dport: 53 }, ...(to ? { reply: { src: to, dst: '10.0.0.1', sport: 53, dport: sport - 1 } } : {}), status: ['CONFIRMED'] });
        for (const l of listeners) l({ type: 'NEW', flow }, { flow, seenAt: 0 });
      }
      const tcp = makeFlow({ orig: { src: '10.0.0.1', dst, sport: 40000, dport: 53 } });
      for (const l of listeners) l({ type: 'NEW', flow: tcp }, { flow: tcp, seenAt: 0 });
    },
  };
}

/** Seconds 0..60: the given traffic every second. */
function run(host: ReturnType<typeof fakeHost>, perSecond: (t: number) => void, seconds = 60) {
  for (let t = 0; t <= seconds; t++) {
    perSecond(t);
    host.sample(t * 1000);
    host.detector.observe(t * 1000);
  }
  return host.detector.evaluate(seconds * 1000);
}

describe('insert-failed-race detector (counters faked: this kernel resolves every UDP clash, see the kernel test)', () => {
  it('names the race with per-CPU insert_failed/s and drop/s, DNS NEW/s, the resolvers and since when', () => {
    const host = fakeHost();
    const found = run(host, (t) => {
      host.dns(20, '10.96.0.10', t % 2 ? '10.244.1.5' : '10.244.2.7');
      host.dns(2, '8.8.8.8');
      if (t > 0 && t % 10 === 0) host.bump(1, { insert_failed: 3, drop: 3 });
      host.bump(0, { clash_resolve: 2 });
    });
    expect(found).toHaveLength(1);
    const d = diagnosisSchema.parse(found[0]);
    expect(d).toMatchObject({ name: 'insert-failed-race', id: 'insert-failed-race', severity: 'warning', evidence: { query: 'udp dport:53' } });
    const facts = Object.fromEntries(d.evidence.facts.map((f) => [f.label, f.value]));
    expect(facts['insert_failed/s on CPU 1']).toBe('0.30 (18 in 60 s)');
    expect(facts['drop/s on CPU 1']).toBe('0.30 (18 in 60 s)');
    expect(facts['insert_failed/s on CPU 0']).toBeUndefined();
    expect(facts['clash_resolve/s (clashes the kernel resolved)']).toBe('CPU 0: 2.0');
    expect(facts['new UDP/53 entries per second']).toBe('22');
    expect(facts['resolvers (busiest first)']).toBe('10.96.0.10 (91 %), DNAT to 10.244.1.5, 10.244.2.7; 8.8.8.8 (9 %)');
    expect(d.evidence.examples).toHaveLength(5);
    expect(d.evidence.examples.every((f) => f.proto === 'udp' && f.orig.dport === 53)).toBe(true);
    // The busiest resolver is DNAT'd: NOTRACK would break it, so a node-local cache is advised instead.
    expect(d.fixes.map((f) => f.kind)).toEqual(['advice', 'advice']);
    expect(d.fixes[0]?.label).toMatch(/node-local DNS cache/);
    expect(d.fixes[1]?.kind === 'advice' && d.fixes[1].text).toMatch(/single-request-reopen.*use-vc.*dnsConfig/s);
    // Stable while it lasts.
    host.bump(1, { insert_failed: 5 });
    host.dns(30, '10.96.0.10');
    host.sample(61_000);
    expect(host.detector.evaluate(61_000)[0]).toMatchObject({ since: d.since });
  });

  it('offers NOTRACK for UDP/53 to a node-local resolver, as a spec the rules package accepts', () => {
    const host = fakeHost({ local: ['169.254.20.10', '10.0.0.1'] });
    const [d] = run(host, () => {
      host.dns(10, '169.254.20.10');
      host.bump(0, { insert_failed: 2, drop: 2 });
    });
    const rule = d?.fixes[0];
    expect(rule?.kind).toBe('rule');
    if (rule?.kind !== 'rule') return;
    expect(rule.spec).toEqual({ kind: 'notrack', protocol: 'udp', ports: '53', role: 'both', direction: 'both', family: 'ipv4', destination: '169.254.20.10' });
    expect(validateRuleSpec(rule.spec).ok).toBe(true);
    expect(rule.tradeoff).toMatch(/no NAT/);
    expect(d?.severity).toBe('critical');

    // systemd-resolved's stub listens on 127.0.0.53: loopback, so on this host too.
    const stub = fakeHost({ local: ['10.0.0.1'] });
    const [s] = run(stub, () => (stub.dns(10, '127.0.0.53'), stub.bump(1, { insert_failed: 1 })));
    expect(s?.fixes[0]).toMatchObject({ kind: 'rule', spec: { destination: '127.0.0.53' } });
  });

  it('stays quiet when clashes are all resolved, when DNS is quiet, and for drops of a full table', () => {
    const resolved = fakeHost();
    expect(run(resolved, () => (resolved.dns(50, '10.96.0.10'), resolved.bump(0, { clash_resolve: 40 })))).toEqual([]);

    const quiet = fakeHost();
    expect(run(quiet, (t) => (t % 30 === 0 && quiet.dns(1, '10.96.0.10'), quiet.bump(1, { insert_failed: 1, drop: 1 })))).toEqual([]);

    const full = fakeHost({ count: 260_000, max: 262_144 });
    expect(run(full, () => (full.dns(20, '10.96.0.10'), full.bump(0, { drop: 50 })))).toEqual([]);
  });

  it('clears once the window holds no new failures, and counts only the window', () => {
    const host = fakeHost();
    expect(run(host, (t) => (host.dns(10, '10.96.0.10'), t === 30 && host.bump(0, { insert_failed: 4, drop: 4 })))).toHaveLength(1);
    for (let t = 61; t <= 100; t++) {
      host.dns(10, '10.96.0.10');
      host.sample(t * 1000);
      host.detector.observe(t * 1000);
    }
    expect(host.detector.evaluate(100_000)).toEqual([]);
  });

  it('on a big host shows the six CPUs with most failures and sums the rest', () => {
    const host = fakeHost({ cpus: 16 });
    const [d] = run(host, () => {
      host.dns(10, '10.96.0.10');
      for (let cpu = 0; cpu < 16; cpu++) host.bump(cpu, { insert_failed: cpu, drop: cpu });
    });
    const labels = d?.evidence.facts.map((f) => f.label) ?? [];
    expect(labels.filter((l) => l.startsWith('insert_failed/s'))).toEqual([10, 11, 12, 13, 14, 15].map((c) => `insert_failed/s on CPU ${c}`));
    // CPUs 1-9 failed 1+...+9 = 45 times a second for 60 s; CPU 0 never.
    expect(d?.evidence.facts.find((f) => f.label === '9 more CPUs with failures')?.value).toBe('insert_failed 2700, drop 2700 in 60 s');
    expect(d?.evidence.facts.length).toBeLessThanOrEqual(20);
  });

  it('unsubscribes from the event feed on close', () => {
    const host = fakeHost();
    expect(host.listeners.size).toBe(1);
    host.detector.close?.();
    expect(host.listeners.size).toBe(0);
  });
});
