import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { parseConntrackText } from '@ctscope/conntrack/text';
import { flowDeleteArgs } from '@ctscope/conntrack';
import type { Flow } from '@ctscope/conntrack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetns, skipKernelTests, type Netns } from '@ctscope/testkit';
import { readCatalog } from './catalog/discover';
import type { ChangeOutcome } from './change/execute';
import { IDLE_CONNECTIONS_SCRIPT } from './testing/idle-connections';
import { previewTimeoutChange } from './whatif/timeout';

const skip = skipKernelTests();
const PROBE = fileURLToPath(new URL('./testing/netns-probe.ts', import.meta.url));
const N = (k: string) => `net.netfilter.nf_conntrack_${k}`;
const EST = N('tcp_timeout_established');
const HOST_KEYS = ['tcp_timeout_established', 'udp_timeout', 'acct', 'max', 'buckets'];

interface ProbeCatalog {
  facts: { inInitialNetns: boolean };
  entries: Array<{ name: string; value: number | null; scope: string; writable: boolean; readOnlyReason: string | null }>;
}

async function hostValues(): Promise<string[]> {
  return Promise.all(HOST_KEYS.map((k) => readFile(`/proc/sys/net/netfilter/nf_conntrack_${k}`, 'utf8')));
}

async function probe<T>(ns: Netns, args: string[]): Promise<T> {
  const { stdout } = await ns.exec(process.execPath, ['--import', 'tsx', PROBE, ...args]);
  return JSON.parse(stdout.trim().split('\n').pop() ?? 'null') as T;
}

async function catalogIn(ns: Netns): Promise<ProbeCatalog> {
  return probe<ProbeCatalog>(ns, ['catalog']);
}

const valueIn = (c: ProbeCatalog, name: string) => c.entries.find((e) => e.name === name)?.value;

async function tcpFlows(ns: Netns, port: number): Promise<Flow[]> {
  const { stdout } = await ns.conntrack(['-L', '-p', 'tcp', '--dport', String(port)]);
  return parseConntrackText(stdout);
}

function firstLine(child: ChildProcess, match: (line: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (chunk: Buffer) => {
      buf += chunk.toString();
      const line = buf.split('\n').find((l) => match(l));
      if (line !== undefined) {
        child.stdout?.off('data', onData);
        resolve(line);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`helper exited with ${code}`)));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(skip)('sysctl inside a throwaway network namespace', () => {
  let ns: Netns;
  let hostBefore: string[];

  beforeAll(async () => {
    hostBefore = await hostValues();
    ns = await createNetns();
  });

  afterAll(async () => {
    await ns?.destroy();
    // The host's own values never moved.
    expect(await hostValues()).toEqual(hostBefore);
  });

  it('reads the host\'s own catalog (read only): initial namespace, every parameter known, globals writable as root', async () => {
    const catalog = await readCatalog();
    expect(catalog.moduleLoaded).toBe(true);
    expect(catalog.facts.inInitialNetns).toBe(true);
    expect(catalog.entries.filter((e) => !e.known)).toEqual([]);
    for (const name of [N('max'), N('buckets'), 'module.nf_conntrack.parameters.hashsize']) {
      expect(catalog.entries.find((e) => e.name === name), name).toMatchObject({ scope: 'global', writable: true });
    }
    expect(catalog.entries.find((e) => e.name === N('max'))?.default).toBe(catalog.entries.find((e) => e.name === N('buckets'))?.default);
  });

  it('reads the per-namespace parameters; global ones are read-only there, with the reason', async () => {
    const catalog = await catalogIn(ns);
    expect(catalog.facts.inInitialNetns).toBe(false);
    const byName = new Map(catalog.entries.map((e) => [e.name, e]));
    for (const name of [N('max'), N('buckets'), N('expect_max'), 'module.nf_conntrack.parameters.hashsize']) {
      expect(byName.get(name), name).toMatchObject({ scope: 'global', writable: false, readOnlyReason: expect.stringMatching(/global parameter/) });
    }
    expect(byName.get(N('count'))).toMatchObject({ writable: false });
    for (const key of ['tcp_timeout_established', 'tcp_timeout_close_wait', 'udp_timeout', 'udp_timeout_stream', 'icmp_timeout', 'generic_timeout', 'acct', 'timestamp', 'tcp_loose', 'tcp_be_liberal', 'checksum', 'events', 'log_invalid']) {
      expect(byName.get(N(key)), key).toMatchObject({ scope: 'netns', writable: true });
    }
    expect(catalog.entries.filter((e) => e.scope === 'unknown')).toEqual([]);
    expect(valueIn(catalog, EST)).toBe(432000);
  });

  it('changes per-namespace timeouts as one transaction: write, read back, roll back on failure', async () => {
    const request = JSON.stringify({ changes: [{ name: EST, value: 3600 }, { name: N('udp_timeout'), value: 45 }, { name: N('acct'), value: 1 }] });
    // acct's write fails (injected); the two real writes before it are undone.
    const failed = await probe<ChangeOutcome>(ns, ['apply', request, 'nf_conntrack_acct']);
    expect(failed).toMatchObject({ ok: false, code: 'write-failed', failed: N('acct'), rollbackComplete: true });
    expect(failed.ok ? [] : failed.applied.map((a) => [a.name, a.readBack])).toEqual([
      [EST, 3600],
      [N('udp_timeout'), 45],
    ]);
    let catalog = await catalogIn(ns);
    expect([valueIn(catalog, EST), valueIn(catalog, N('udp_timeout')), valueIn(catalog, N('acct'))]).toEqual([432000, 30, 0]);

    const applied = await probe<ChangeOutcome>(ns, ['apply', request]);
    expect(applied.ok).toBe(true);
    catalog = await catalogIn(ns);
    expect([valueIn(catalog, EST), valueIn(catalog, N('udp_timeout')), valueIn(catalog, N('acct'))]).toEqual([3600, 45, 1]);
    expect(await hostValues()).toEqual(hostBefore);

    const previous = applied.ok ? applied.applied.map((a) => ({ name: a.name, value: a.before })) : [];
    const back = await probe<ChangeOutcome>(ns, ['rollback', JSON.stringify(previous)]);
    expect(back.ok).toBe(true);
    catalog = await catalogIn(ns);
    expect([valueIn(catalog, EST), valueIn(catalog, N('udp_timeout')), valueIn(catalog, N('acct'))]).toEqual([432000, 30, 0]);
  });

  it('rolls back when the kernel itself refuses a value (EINVAL for a timeout above INT_MAX / HZ)', async () => {
    // A hand-made plan skips our validation, so the second write reaches the kernel and is refused.
    const write = (key: string, before: number, after: number) => ({ name: N(key), path: `/proc/sys/net/netfilter/nf_conntrack_${key}`, scope: 'netns', unit: 'seconds', before, after, beforeDisplay: '', afterDisplay: '', unchanged: false });
    const outcome = await probe<ChangeOutcome>(ns, ['execute-raw', JSON.stringify([write('tcp_timeout_established', 432000, 3600), write('generic_timeout', 600, 99_999_999)])]);
    expect(outcome).toMatchObject({ ok: false, code: 'write-failed', failed: N('generic_timeout'), rollbackComplete: true });
    expect(outcome.ok ? '' : outcome.message).toMatch(/EINVAL|Invalid argument/i);
    const catalog = await catalogIn(ns);
    expect([valueIn(catalog, EST), valueIn(catalog, N('generic_timeout'))]).toEqual([432000, 600]);
  });

  it('refuses to write a global parameter inside the namespace, writing nothing', async () => {
    const { stdout, stderr } = await ns
      .exec(process.execPath, ['--import', 'tsx', PROBE, 'apply', JSON.stringify({ changes: [{ name: EST, value: 7200 }, { name: N('max'), value: 524288 }] })])
      .then((r) => ({ ...r, stderr: '' }))
      .catch((err: Error) => ({ stdout: '', stderr: err.message }));
    expect(stdout).toBe('');
    expect(stderr).toMatch(/changes\[1\]\.name: net\.netfilter\.nf_conntrack_max is read-only here: global parameter/);
    expect(valueIn(await catalogIn(ns), EST)).toBe(432000);
  });

  it('a new timeout reaches an idle entry only with its next packet; the what-if finds exactly the idle entries', async () => {
    const helper = ns.spawn(process.execPath, ['-e', IDLE_CONNECTIONS_SCRIPT]);
    const { port, sports } = JSON.parse(await firstLine(helper, (l) => l.startsWith('{'))) as { port: number; sports: [number, number] };
    await sleep(4000);
    helper.kill('SIGUSR2'); // connection A gets a packet; B stays idle
    await firstLine(helper, (l) => l === 'poked');

    // What-if before applying: with a 2 s timeout, which entries have been idle longer?
    const flows = await tcpFlows(ns, port);
    expect(flows.map((f) => f.state)).toEqual(['ESTABLISHED', 'ESTABLISHED']);
    const preview = previewTimeoutChange(flows, { name: EST, current: 432000, proposed: 2 });
    expect(preview.idleLonger).toBe(1);
    expect(preview.matches[0]?.orig.sport).toBe(sports[1]);
    expect(preview.message).toBe('1 entries (50 %) have been idle longer than 2 s; they will NOT expire sooner by themselves — free them now?');
    // "Free them now" deletes exactly those.
    for (const f of preview.matches) await ns.conntrack(flowDeleteArgs(f));
    expect((await tcpFlows(ns, port)).map((f) => f.orig.sport)).toEqual([sports[0]]);

    // Lower the timeout for real: the idle entry keeps its old expiry...
    const applied = await probe<ChangeOutcome>(ns, ['apply', JSON.stringify({ changes: [{ name: EST, value: 3600 }] })]);
    expect(applied.ok).toBe(true);
    const idle = (await tcpFlows(ns, port))[0];
    expect(idle?.timeout).toBeGreaterThan(400000);
    // ...until its next packet sets it from the new value.
    helper.kill('SIGUSR2');
    await firstLine(helper, (l) => l === 'poked');
    const refreshed = (await tcpFlows(ns, port))[0];
    expect(refreshed?.timeout).toBeLessThanOrEqual(3600);
    expect(refreshed?.timeout).toBeGreaterThan(3500);
    helper.kill('SIGKILL');
  });
});
