import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { diagnosisSchema, type Diagnosis } from '@ctscope/protocol';
import { buildCtPackets, createNetns, skipKernelTests, type CtPackets, type Netns } from '@ctscope/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WindowRates } from './dns/counter-window';

const PROBE = fileURLToPath(new URL('./dns/race-probe.ts', import.meta.url));
const skip = skipKernelTests();
const SERVICE = '10.96.0.10';
const BACKENDS = ['10.0.0.2', '10.0.0.3'];

/** A DNS "service" address DNAT'd at random to one of two backends, as kube-proxy does for kube-dns. */
const NAT_RULESET = `
table ip svc {
  chain output {
    type nat hook output priority -100; policy accept;
    ip daddr ${SERVICE} udp dport 53 dnat to numgen random mod 2 map { 0 : ${BACKENDS[0]}, 1 : ${BACKENDS[1]} }
  }
}
`;

type Counters = Record<'insert_failed' | 'drop' | 'clash_resolve', number[]>;

/** Per-CPU counters from the real conntrack CLI. */
async function cliCounters(ns: Netns): Promise<Counters> {
  const { stdout } = await ns.conntrack(['-S']);
  const out: Counters = { insert_failed: [], drop: [], clash_resolve: [] };
  for (const line of stdout.split('\n').filter((l) => l.startsWith('cpu='))) {
    for (const key of Object.keys(out) as Array<keyof Counters>) out[key].push(Number(new RegExp(`\\b${key}=(\\d+)`).exec(line)?.[1] ?? 0));
  }
  return out;
}

const delta = (a: Counters, b: Counters, key: keyof Counters) => b[key].map((v, i) => v - (a[key][i] ?? 0));

interface Report {
  diagnoses: Diagnosis[];
  rates: WindowRates;
}

let packets: CtPackets;
beforeAll(async () => {
  if (!skip) packets = await buildCtPackets();
});
afterAll(async () => {
  await packets?.remove();
});

let ns: Netns | undefined;
afterEach(async () => {
  await ns?.destroy();
  ns = undefined;
});

describe.skipIf(skip)('insert-failed-race on the real kernel', () => {
  it('two sockets racing the first UDP packet of one tuple: this kernel resolves every clash; real failed inserts (racing TCP SYNs) during busy DNS are named', async () => {
    ns = await createNetns();
    const netns = ns;
    for (const args of [
      ['link', 'add', 'd0', 'type', 'veth', 'peer', 'name', 'd1'],
      ['link', 'set', 'd1', 'up'],
      ['addr', 'add', '10.0.0.1/24', 'dev', 'd0'],
      ['link', 'set', 'd0', 'up'],
      ['route', 'add', '10.96.0.0/16', 'dev', 'd0'],
    ]) {
      await netns.exec('ip', args);
    }
    await netns.exec('nft', ['-f', '-'], NAT_RULESET);

    const child: ChildProcess = netns.spawn(process.execPath, ['--import', 'tsx', PROBE]);
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    await expect.poll(() => out.includes('"ready"') || err, { timeout: 20_000 }).toBe(true);
    const report = async (): Promise<Report> => {
      const lines = out.split('\n').length;
      child.kill('SIGUSR2');
      await expect.poll(() => out.split('\n').length > lines, { timeout: 20_000 }).toBe(true);
      return JSON.parse(out.trim().split('\n').pop() ?? '{}') as Report;
    };

    // 1. The classic race: two sockets (SO_REUSEPORT, one per CPU) send the first query of one tuple at once.
    const before = await cliCounters(netns);
    const udp = await packets.udpRace(netns, { src: '10.0.0.1', firstPort: 20000, dst: SERVICE, dport: 53, rounds: 5000 });
    expect(udp).toEqual({ sent: 10_000, failed: 0 });
    const afterUdp = await cliCounters(netns);
    const resolved = delta(before, afterUdp, 'clash_resolve').reduce((a, b) => a + b, 0);
    const failedUdp = delta(before, afterUdp, 'insert_failed').reduce((a, b) => a + b, 0);
    // The race happens (clashes), and kernel 6.18 resolves each one (clash_resolve, no insert_failed):
    // same backend → one entry; different backends → the loser kept for 1 s with IPS_NAT_CLASH.
    expect(resolved).toBeGreaterThan(0);
    const first = await report();
    expect(first.rates.total.clash_resolve).toBe(resolved);
    expect(first.rates.total.insert_failed).toBe(failedUdp);
    // Every round created one NEW UDP/53 entry the agent saw (the clash losers are not reported as NEW).
    expect(Math.round(first.rates.dnsNewPerSecond * first.rates.seconds)).toBe(5000);
    if (failedUdp === 0) expect(first.diagnoses).toEqual([]);
    else expect(first.diagnoses.map((d) => d.name)).toEqual(['insert-failed-race']);

    // 2. Real failed inserts: TCP clashes are never resolved, so racing SYNs of one tuple fail to insert.
    const tcp = await packets.tcpRace(netns, { src: '10.0.0.1', firstPort: 30000, dst: BACKENDS[0] as string, dport: 5353, rounds: 3000 });
    const afterTcp = await cliCounters(netns);
    const failedPerCpu = delta(before, afterTcp, 'insert_failed');
    // Each lost race is a SYN conntrack dropped (sendto says EPERM) and counted as insert_failed.
    expect(tcp.sent + tcp.failed).toBe(6000);
    expect(tcp.failed).toBeGreaterThan(0);
    expect(failedPerCpu.reduce((a, b) => a + b, 0)).toBe(tcp.failed);
    const second = await report();
    expect(second.diagnoses).toHaveLength(1);
    // What the dashboard would receive: parsed with the protocol's schema.
    const d = diagnosisSchema.parse(second.diagnoses[0]);
    const facts = Object.fromEntries(d.evidence.facts.map((f) => [f.label, f.value]));
    failedPerCpu.forEach((n, cpu) => {
      if (n > 0) expect(facts[`insert_failed/s on CPU ${cpu}`]).toMatch(new RegExp(`\\(${n} in `));
    });
    expect(second.rates.cpus.map((c) => c.delta.drop)).toEqual(delta(before, afterTcp, 'drop'));
    expect(facts['resolvers (busiest first)']).toBe(`${SERVICE} (100 %), DNAT to ${BACKENDS.join(', ')}`);
    expect(d.evidence.examples.length).toBe(5);
    expect(d.fixes.map((f) => f.kind)).toEqual(['advice', 'advice']);
    child.kill('SIGTERM');
  }, 60_000);
});
