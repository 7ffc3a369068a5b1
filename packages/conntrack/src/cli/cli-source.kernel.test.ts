import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetns, generateTraffic, skipKernelTests, type Netns } from '@ctscope/testkit';
import { STATUS_BITS, type Flow, type FlowEvent } from '../flow';
import { TCP_SESSION, startScenario } from '../text/fixtures/scenario';
import { parseQuery } from '../filter/query';
import { parseConntrackText } from '../text/parse-line';
import type { CliSource } from './cli-source';
import { cliSourceIn, eventFollowerPids, waitFor } from './test-netns';

const essentials = (f: Flow) => ({ id: f.id, family: f.family, protoNum: f.protoNum, orig: f.orig, reply: f.reply, state: f.state, status: f.status, mark: f.mark, zone: f.zone });
const byId = (flows: Flow[]) => [...flows].sort((a, b) => (a.id ?? 0) - (b.id ?? 0)).map(essentials);

describe.skipIf(skipKernelTests())('CliSource against the real conntrack CLI', () => {
  let ns: Netns;
  let traffic: ChildProcess;
  let source: CliSource;
  const warnings: string[] = [];

  beforeAll(async () => {
    ns = await createNetns();
    try {
      traffic = await startScenario(ns);
      await generateTraffic(ns, { tcp: 3, udp: 3, icmp: 2, ipv6: true });
      source = cliSourceIn(ns, { warn: (_obj, msg) => warnings.push(msg) });
    } catch (err) {
      await ns.destroy();
      throw err;
    }
  });

  afterAll(async () => {
    source?.close();
    traffic?.kill('SIGKILL');
    await ns?.destroy();
  });

  it('says that the CLI fallback is in use', () => {
    expect(warnings.some((w) => w.includes('CLI fallback'))).toBe(true);
  });

  it('dump after TCP/UDP/ICMP/IPv6 traffic matches a fresh conntrack -L', async () => {
    const flows = await source.dump();
    const reference = parseConntrackText((await ns.conntrack(['-L', '-o', 'extended,id'])).stdout);
    expect(flows.length).toBeGreaterThan(15);
    expect(new Set(flows.map((f) => f.proto))).toEqual(new Set(['tcp', 'udp', 'icmp', 'icmpv6']));
    expect(flows.some((f) => f.family === 'ipv6')).toBe(true);
    expect(byId(flows)).toEqual(byId(reference));
  });

  it('applies kernel filters like the CLI does', async () => {
    const all = await source.dump();
    const ipv6 = await source.dump({ family: 'ipv6' });
    expect(ipv6.length).toBeGreaterThan(0);
    expect(byId(ipv6)).toEqual(byId(all.filter((f) => f.family === 'ipv6')));
    const marked = await source.dump({ mark: { value: 0x10, mask: 0xff } });
    expect(marked.map((f) => f.orig.dport)).toEqual([7001]);
    expect((await source.dump({ zone: 3 })).map((f) => f.orig.dport)).toEqual([7003]);
    const seenReply = 1 << STATUS_BITS.indexOf('SEEN_REPLY');
    const unreplied = await source.dump({ status: { value: 0, mask: seenReply } });
    expect(unreplied.length).toBeGreaterThan(0);
    expect(byId(unreplied)).toEqual(byId(all.filter((f) => !f.status.includes('SEEN_REPLY'))));
    const assured = 1 << STATUS_BITS.indexOf('ASSURED');
    const repliedNotAssured = await source.dump({ status: { value: seenReply, mask: seenReply | assured } });
    expect(byId(repliedNotAssured)).toEqual(byId(all.filter((f) => f.status.includes('SEEN_REPLY') && !f.status.includes('ASSURED'))));
    expect(repliedNotAssured.length).toBeGreaterThan(0);
  });

  it('reads the dying and unconfirmed tables', async () => {
    expect(Array.isArray(await source.dump(undefined, 'dying'))).toBe(true);
    expect(Array.isArray(await source.dump(undefined, 'unconfirmed'))).toBe(true);
  });

  it('count equals conntrack -C, and globalStats adds nf_conntrack_max', async () => {
    const cli = Number((await ns.conntrack(['-C'])).stdout.trim());
    expect(await source.count()).toBe(cli);
    const global = await source.globalStats();
    expect(global.entries).toBe(cli);
    expect(global.maxEntries).toBe(Number((await readFile('/proc/sys/net/netfilter/nf_conntrack_max', 'utf8')).trim()));
  });

  it('cpuStats has one entry per CPU with the kernel counters', async () => {
    const stats = await source.cpuStats();
    expect(stats.length).toBe(availableParallelism());
    expect(stats[0]).toHaveProperty('found');
    expect(stats[0]).toHaveProperty('insert_failed');
  });

  it('events from a scripted TCP session arrive: NEW, UPDATEs, DESTROY', async () => {
    const events: FlowEvent[] = [];
    const sub = source.subscribe({ events: ['NEW', 'UPDATE', 'DESTROY'], bufferBytes: 1 << 20 }, { onEvent: (e) => events.push(e), onOverrun: () => undefined });
    try {
      await new Promise((r) => setTimeout(r, 300));
      await ns.exec(process.execPath, ['--input-type=module', '-e', TCP_SESSION]);
      await ns.conntrack(['-D', '-p', 'tcp', '--dport', '7400']);
      const session = () => events.filter((e) => e.flow.orig.dport === 7400);
      await waitFor(() => session().some((e) => e.type === 'DESTROY'), 5000, 'the DESTROY event');
      const mine = session();
      expect(mine[0]?.type).toBe('NEW');
      expect(mine[0]?.flow.state).toBe('SYN_SENT');
      expect(mine.at(-1)?.type).toBe('DESTROY');
      expect(mine.filter((e) => e.type === 'UPDATE').map((e) => e.flow.state)).toContain('ESTABLISHED');
      expect(new Set(mine.map((e) => e.flow.id)).size).toBe(1);
    } finally {
      sub.close();
    }
  });

  it('only the selected event types arrive', async () => {
    const events: FlowEvent[] = [];
    const sub = source.subscribe({ events: ['DESTROY'] }, { onEvent: (e) => events.push(e), onOverrun: () => undefined });
    try {
      await new Promise((r) => setTimeout(r, 300));
      await ns.exec(process.execPath, ['--input-type=module', '-e', TCP_SESSION]);
      await ns.conntrack(['-D', '-p', 'tcp', '--dport', '7400']);
      await waitFor(() => events.some((e) => e.flow.orig.dport === 7400), 5000, 'the DESTROY event');
      expect(new Set(events.map((e) => e.type))).toEqual(new Set(['DESTROY']));
    } finally {
      sub.close();
    }
  });

  it('reports an overrun and restarts when conntrack -E dies, and ENOBUFS as an overrun', async () => {
    const events: FlowEvent[] = [];
    const overruns: number[] = [];
    const sub = source.subscribe({ events: ['NEW'], bufferBytes: 4096 }, { onEvent: (e) => events.push(e), onOverrun: (o) => overruns.push(o.overruns) });
    try {
      let pids: number[] = [];
      const deadline = Date.now() + 5000;
      while (pids.length === 0 && Date.now() < deadline) pids = await eventFollowerPids(ns);
      expect(pids).toHaveLength(1);
      const [first] = pids;
      process.kill(first ?? 0, 'SIGKILL');
      await waitFor(() => overruns.length >= 1, 5000, 'the overrun after the exit');
      let restarted: number[] = [];
      while (restarted.length === 0 && Date.now() < deadline + 5000) restarted = (await eventFollowerPids(ns)).filter((p) => p !== first);
      expect(restarted).toHaveLength(1);

      // Stop the follower, let many NEW events overflow its small buffer, then let it read again.
      process.kill(restarted[0] ?? 0, 'SIGSTOP');
      await generateTraffic(ns, { udp: 400 });
      process.kill(restarted[0] ?? 0, 'SIGCONT');
      await waitFor(() => overruns.length >= 2, 10000, 'the ENOBUFS overrun');
      expect(overruns).toEqual([1, 2]);
      await waitFor(() => events.length > 0, 5000, 'events after the overrun');
    } finally {
      sub.close();
    }
  });

  it('creates, updates and deletes single entries, and flushes one family', async () => {
    const udp = { src: '10.9.0.1', dst: '10.9.0.2', protoNum: 17 };
    await source.create({ family: 'ipv4', orig: { ...udp, sport: 1000, dport: 53 }, reply: { src: udp.dst, dst: udp.src, protoNum: 17, sport: 53, dport: 1000 }, timeout: 100, mark: 3 });
    await source.create({ family: 'ipv4', orig: { src: '10.9.0.1', dst: '10.9.0.2', protoNum: 6, sport: 1, dport: 80 }, reply: { src: '10.9.0.2', dst: '10.9.0.1', protoNum: 6, sport: 80, dport: 1 }, timeout: 50, state: 'ESTABLISHED', statusBits: (1 << STATUS_BITS.indexOf('SEEN_REPLY')) | (1 << STATUS_BITS.indexOf('ASSURED')), zone: 4 });
    await source.create({ family: 'ipv6', orig: { src: 'fd00::1', dst: 'fd00::2', protoNum: 17, sport: 7, dport: 8 }, reply: { src: 'fd00::2', dst: 'fd00::1', protoNum: 17, sport: 8, dport: 7 }, timeout: 100 });
    const created = (await source.dump()).filter((f) => f.orig.src === '10.9.0.1' || f.orig.src === 'fd00::1');
    expect(created.map((f) => `${f.proto} ${f.state ?? '-'} ${f.mark} ${f.zone ?? 0} ${f.status.includes('ASSURED')}`).sort()).toEqual(['tcp ESTABLISHED 0 4 true', 'udp - 0 0 false', 'udp - 3 0 false']);
    await expect(source.create({ family: 'ipv4', orig: { ...udp, sport: 1000, dport: 53 }, reply: { src: udp.dst, dst: udp.src, protoNum: 17, sport: 53, dport: 1000 }, timeout: 100 })).rejects.toThrow();

    const entry = created.find((f) => f.mark === 3);
    if (!entry) throw new Error('created entry missing');
    await source.update({ ...entry, timeout: 7777, mark: 9 });
    const updated = (await source.dump()).find((f) => f.id === entry.id);
    expect(updated?.mark).toBe(9);
    expect(updated?.timeout).toBeGreaterThan(7700);
    expect(await source.deleteFlow(entry)).toBe(true);
    expect(await source.deleteFlow(entry)).toBe(false);

    await source.flush('ipv6');
    const left = await source.dump();
    expect(left.filter((f) => f.family === 'ipv6')).toEqual([]);
    expect(left.some((f) => f.orig.src === '10.9.0.1' && f.proto === 'tcp')).toBe(true);
  });

  it('deletes exact entries, filtered entries, then flushes', async () => {
    const before = await source.dump();
    const victim = before.find((f) => f.proto === 'udp' && f.orig.dport !== 7001 && f.orig.dport !== 7003);
    const icmp = before.find((f) => f.proto === 'icmp');
    expect(victim).toBeDefined();
    expect(icmp).toBeDefined();
    if (!victim || !icmp) return;
    expect(await source.deleteFlows([victim, icmp])).toBe(2);
    const after = await source.dump();
    expect(after.map((f) => f.id)).not.toContain(victim.id);
    expect(after.map((f) => f.id)).not.toContain(icmp.id);
    expect(after.length).toBe(before.length - 2);
    expect(await source.deleteFlows([victim])).toBe(0);

    const marked = after.filter((f) => f.mark === 16).length;
    expect(marked).toBeGreaterThan(0);
    expect(await source.deleteWhere(parseQuery('udp mark:16'))).toBe(marked);
    expect((await source.dump()).filter((f) => f.mark === 16)).toEqual([]);

    await source.flush();
    const left = await source.dump();
    // Held TCP connections may re-create nothing until they send again; the table is empty right after -F.
    expect(left.filter((f) => f.proto !== 'tcp')).toEqual([]);
  });

  it('close() stops every conntrack -E it started', async () => {
    const other = cliSourceIn(ns);
    other.subscribe({ events: ['NEW'] }, { onEvent: () => undefined, onOverrun: () => undefined });
    await new Promise((r) => setTimeout(r, 300));
    expect((await eventFollowerPids(ns)).length).toBe(1);
    other.close();
    const deadline = Date.now() + 3000;
    let left = await eventFollowerPids(ns);
    while (left.length > 0 && Date.now() < deadline) left = await eventFollowerPids(ns);
    expect(left).toEqual([]);
    await expect(other.dump()).rejects.toThrow(/closed/);
  });
});
