import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { countNetnsEntries } from '@ctscope/conntrack';
import { createNetns, fillConntrack, run, skipKernelTests, type Netns } from '@ctscope/testkit';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cgroupOwner } from './cgroup-name';
import type { NetnsProbeOutput } from './bench/netns-probe';
import { NetnsCounter } from './counter';
import { discoverNamespaces } from './discover';

const logger = pino({ level: 'silent' });
/** Different per namespace, so a count credited to the wrong namespace shows. */
const WANTED = [7, 31, 64, 150, 333];
const inodeOf = (path: string) => String(statSync(path).ino);
const PROBE = fileURLToPath(new URL('./bench/netns-probe.ts', import.meta.url));

describe.skipIf(skipKernelTests())('per-namespace counts', () => {
  const named: Netns[] = [];
  let holder: ChildProcess | undefined;
  let holderPid = 0;

  beforeAll(async () => {
    for (const entries of WANTED) {
      const ns = await createNetns();
      named.push(ns);
      await fillConntrack(ns, entries);
    }
    // A namespace no name holds: only this process lives in it.
    holder = spawn('unshare', ['--net', '--', 'sleep', '600'], { stdio: 'ignore' });
    holderPid = holder.pid ?? 0;
    await vi.waitFor(() => {
      expect(readFileSync(`/proc/${holderPid}/comm`, 'utf8').trim()).toBe('sleep');
      expect(inodeOf(`/proc/${holderPid}/ns/net`)).not.toBe(inodeOf('/proc/self/ns/net'));
    });
    for (let i = 0; i < 4; i++) {
      await run('nsenter', [`--target=${holderPid}`, '--net', '--', 'conntrack', '-I', '-p', 'tcp', '-s', '10.9.0.1', '-d', '10.9.0.2', '--sport', String(40_000 + i), '--dport', '443', '--state', 'ESTABLISHED', '-t', '3600']);
    }
  }, 120_000);

  afterAll(async () => {
    holder?.kill('SIGKILL');
    await Promise.all(named.map((ns) => ns.destroy()));
  });

  it('equals conntrack -C run in each namespace, named by ip netns name or by the process holding it', async () => {
    const counter = new NetnsCounter({ logger });
    const before = await Promise.all(named.map(async (ns) => Number((await ns.conntrack(['-C'])).stdout.trim())));
    const pass = await counter.pass();
    const after = await Promise.all(named.map(async (ns) => Number((await ns.conntrack(['-C'])).stdout.trim())));
    expect(after).toEqual(before);
    for (const [i, entries] of WANTED.entries()) expect(before[i]).toBeGreaterThanOrEqual(entries);

    const byInode = new Map(pass.byNetns.map((ns) => [ns.netns, ns]));
    named.forEach((ns, i) => {
      expect(byInode.get(inodeOf(`/run/netns/${ns.name}`))).toEqual({ netns: inodeOf(`/run/netns/${ns.name}`), name: ns.name, source: 'named', entries: before[i] });
    });

    const heldInode = inodeOf(`/proc/${holderPid}/ns/net`);
    const heldCount = Number((await run('nsenter', [`--target=${holderPid}`, '--net', '--', 'conntrack', '-C'])).stdout.trim());
    expect(heldCount).toBe(4);
    const owner = cgroupOwner(readFileSync(`/proc/${holderPid}/cgroup`, 'utf8'));
    expect(byInode.get(heldInode)).toEqual({ netns: heldInode, entries: 4, ...(owner ?? { name: `sleep (pid ${holderPid})`, source: 'process' }) });

    const host = pass.byNetns.filter((ns) => ns.source === 'host');
    expect(host).toEqual([{ netns: inodeOf('/proc/self/ns/net'), name: 'host', source: 'host', entries: Number((await run('conntrack', ['-C'])).stdout.trim()) }]);
    // Most entries first.
    expect(pass.byNetns.map((ns) => ns.entries)).toEqual(pass.byNetns.map((ns) => ns.entries).sort((a, b) => b - a));
    expect(pass.seen).toBeGreaterThanOrEqual(WANTED.length + 2);
    expect(pass.truncated).toBe(false);
    expect(pass.nextInMs).toBeGreaterThanOrEqual(10_000);
    expect(counter.byNetns()).toEqual(pass.byNetns);
  });

  it('skips a namespace deleted between discovery and count, and reports truncation past the limit', async () => {
    const victim = await createNetns({ hooks: false });
    const victimInode = inodeOf(`/run/netns/${victim.name}`);
    let found = false;
    const counter = new NetnsCounter({
      logger,
      discover: () => {
        const discovery = discoverNamespaces();
        found = discovery.namespaces.some((ns) => ns.netns === victimInode);
        return discovery;
      },
      count: async (paths) => {
        await victim.destroy();
        return countNetnsEntries(paths);
      },
    });
    const pass = await counter.pass();
    expect(found).toBe(true);
    expect(pass.byNetns.some((ns) => ns.netns === victimInode)).toBe(false);
    expect(pass.unreadable).toBe(0);
    expect(pass.byNetns.length).toBeGreaterThanOrEqual(WANTED.length + 2);

    const limited = discoverNamespaces({ limit: 3 });
    expect(limited.namespaces.map((ns) => ns.source)).toEqual(['host', 'named', 'named']);
    expect(limited.truncated).toBe(true);
    expect(limited.seen).toBeGreaterThan(3);
  });

  it('with only the capabilities of the packaged unit, the host is still counted and the rest reported unreadable', async () => {
    // Run from a namespace of its own, whose count nothing else changes meanwhile (the machine's own
    // namespace gains and loses entries with every connection other processes make).
    const own = await createNetns();
    try {
      await fillConntrack(own, 9);
      // The systemd unit's bounding set: no CAP_SYS_ADMIN, so setns into another namespace fails (EPERM).
      const { stdout } = await run('ip', ['netns', 'exec', own.name, 'setpriv', '--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all,+net_admin,+net_raw,+syslog', '--', process.execPath, '--import', 'tsx', PROBE, '1']);
      const output = JSON.parse(stdout) as NetnsProbeOutput;
      const ownCount = Number((await own.conntrack(['-C'])).stdout.trim());
      expect(ownCount).toBeGreaterThanOrEqual(9);
      expect(output.lastCounts).toEqual({ [inodeOf(`/run/netns/${own.name}`)]: ownCount });
      // Every named namespace is refused (process-held ones are not even found: their links need CAP_SYS_PTRACE).
      expect(output.rounds[0]?.unreadable).toBeGreaterThanOrEqual(WANTED.length);
    } finally {
      await own.destroy();
    }
  });
});
