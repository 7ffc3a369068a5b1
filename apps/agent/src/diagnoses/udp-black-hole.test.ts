import type { Flow } from '@ctscope/conntrack';
import { diagnosisSchema } from '@ctscope/protocol';
import { describe, expect, it } from 'vitest';
import { flowKey } from '../mirror/flow-key';
import { FlowTable } from '../mirror/flow-table';
import { UdpBlackHoleDetector } from './udp-black-hole';
import { udpCandidateGroups } from './udp-groups';

const VIP = '10.96.0.10';

/** A UDP entry from 10.0.0.1:sport to VIP:53, DNATed to `backend` (or not NATed when it is the VIP). */
function udp(id: number, sport: number, backend: string, replied: boolean, packets?: [number, number]): Flow {
  const flow: Flow = {
    family: 'ipv4',
    proto: 'udp',
    protoNum: 17,
    orig: { src: '10.0.0.1', dst: VIP, protoNum: 17, sport, dport: 53 },
    reply: { src: backend, dst: '10.0.0.1', protoNum: 17, sport: 53, dport: sport },
    status: replied ? ['SEEN_REPLY', 'CONFIRMED', ...(backend === VIP ? [] : (['DST_NAT', 'DST_NAT_DONE'] as const))] : ['CONFIRMED', ...(backend === VIP ? [] : (['DST_NAT', 'DST_NAT_DONE'] as const))],
    statusBits: (replied ? 2 : 0) | 8 | (backend === VIP ? 0 : 32 | 256),
    timeout: 30,
    id,
  };
  if (packets) {
    flow.countersOrig = { packets: BigInt(packets[0]), bytes: BigInt(packets[0] * 40) };
    flow.countersReply = { packets: BigInt(packets[1]), bytes: BigInt(packets[1] * 40) };
  }
  return flow;
}

/** The kernel as the detector reads it: counters the test moves on between passes. */
function kernel(table: FlowTable, flows: Flow[]) {
  const counters = new Map(flows.map((f) => [flowKey(f), { orig: 1, reply: 1 }]));
  for (const f of flows) table.set(f, 0, true);
  return {
    bump(f: Flow, orig: number, reply: number) {
      const c = counters.get(flowKey(f));
      if (c) Object.assign(c, { orig: c.orig + orig, reply: c.reply + reply });
    },
    readEntry: (flow: Flow) => {
      const c = counters.get(flowKey(flow));
      if (!c) return Promise.resolve(null);
      return Promise.resolve({ ...flow, countersOrig: { packets: BigInt(c.orig), bytes: 0n }, countersReply: { packets: BigInt(c.reply), bytes: 0n } });
    },
  };
}

describe('UDP black hole', () => {
  it('groups UDP entries by original destination and flags mixed answers; plain traffic is not a candidate', () => {
    const table = new FlowTable();
    for (const f of [udp(1, 1000, '10.1.0.1', true), udp(2, 1001, '10.1.0.2', true), udp(3, 1002, VIP, false)]) table.set(f, 0, true);
    table.set({ ...udp(4, 1003, '10.9.9.9', true), orig: { src: '10.0.0.1', dst: '10.9.9.9', protoNum: 17, sport: 1003, dport: 53 } }, 0, true);
    const groups = udpCandidateGroups(table);
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ dstText: VIP, dport: 53, total: 3, unreplied: 1, natted: true, suspicious: true });
    // Unreplied first (none is long-lived here: all were heard of just now).
    expect(groups[0]?.rows).toEqual([2, 0, 1]);
  });

  it('in a destination with more entries than it reads, the long-lived ones (a client keeping its port) come first', () => {
    const table = new FlowTable();
    const now = 1_000_000;
    // 400 one-shot exchanges heard of within the last seconds, then 3 clients heard of 5 minutes ago.
    for (let i = 0; i < 400; i++) table.set(udp(i + 1, 2000 + i, '10.1.0.2', true), now - 5_000, true);
    for (let i = 0; i < 3; i++) table.set(udp(1000 + i, 1000 + i, '10.1.0.1', true), now - 300_000, true);
    const [group] = udpCandidateGroups(table, now);
    expect(group?.total).toBe(403);
    expect(group?.rows).toHaveLength(256);
    expect(group?.rows.slice(0, 3).map((row) => table.entryAt(row).flow.orig.sport)).toEqual([1000, 1001, 1002]);
  });

  it('an answered entry that keeps sending without answers for the silence limit, beside live ones: found, with an exact delete query', async () => {
    const table = new FlowTable();
    const stuck = udp(1, 1000, '10.1.0.1', true);
    const live = [udp(2, 1001, '10.1.0.2', true), udp(3, 1002, '10.1.0.2', true)];
    const idleOld = udp(4, 1003, '10.1.0.1', true);
    const k = kernel(table, [stuck, ...live, idleOld]);
    const detector = new UdpBlackHoleDetector({ table: () => table, readEntry: k.readEntry, accounting: () => Promise.resolve(1), silenceMs: 10_000 });
    let now = 100_000;
    const pass = async () => {
      for (const f of live) k.bump(f, 5, 5);
      k.bump(stuck, 5, 0);
      now += 5_000;
      return detector.evaluate(now);
    };
    expect(await detector.evaluate(now)).toEqual([]);
    expect(await pass()).toEqual([]);
    // Ten seconds of sending without answers since it was first read.
    const [found, ...rest] = await pass();
    expect(rest).toEqual([]);
    expect(diagnosisSchema.parse(found)).toEqual(found);
    expect(found).toMatchObject({ name: 'udp-black-hole', id: `udp-black-hole:${VIP}:53:10.1.0.1`, severity: 'warning' });
    // The idle entry pointing at the dead backend goes too; the live backend's entries stay.
    expect(found?.evidence.query).toBe(`udp dst:${VIP} dport:53 reply-src:10.1.0.1`);
    expect(found?.fixes).toEqual([expect.objectContaining({ kind: 'delete', query: `udp dst:${VIP} dport:53 reply-src:10.1.0.1`, count: 2 })]);
    expect(found?.evidence.facts).toEqual(expect.arrayContaining([{ label: 'Stuck entries', value: '1' }, { label: 'Packets/s sent into it', value: '1.0' }, { label: 'Answering DNAT targets', value: '10.1.0.2' }]));
    expect(found?.evidence.examples.map((e) => e.orig.sport)).toEqual([1000]);
    // Answers again: cleared.
    k.bump(stuck, 1, 1);
    now += 5_000;
    expect(await detector.evaluate(now)).toEqual([]);
  });

  it('unreplied entries that keep sending while others to the same destination are answered right now', async () => {
    const table = new FlowTable();
    const unreplied = udp(1, 1000, VIP, false);
    const quiet = udp(5, 1004, VIP, false);
    const live = udp(2, 1001, '10.1.0.2', true);
    const k = kernel(table, [unreplied, quiet, live]);
    const detector = new UdpBlackHoleDetector({ table: () => table, readEntry: k.readEntry, accounting: () => Promise.resolve(1), silenceMs: 60_000 });
    await detector.evaluate(1_000);
    k.bump(unreplied, 3, 0);
    k.bump(live, 3, 3);
    const [found] = await detector.evaluate(6_000);
    // One is stuck (the sending one); the fix takes every entry pointing where nothing answers, the quiet one too.
    expect(found?.evidence.facts).toContainEqual({ label: 'Stuck entries', value: '1' });
    expect(found?.evidence.examples.map((e) => e.orig.sport)).toEqual([1000]);
    expect(found?.evidence.query).toBe(`udp dst:${VIP} dport:53 reply-src:${VIP}`);
    expect(found?.fixes[0]).toMatchObject({ kind: 'delete', count: 2 });
    // Once the sibling has had no answer for the silence limit, nothing proves the destination answers.
    k.bump(unreplied, 3, 0);
    expect(await detector.evaluate(67_000)).toEqual([]);
  });

  it('a client sending less often than the passes run stays diagnosed, with the same since, until its entry answers', async () => {
    const table = new FlowTable();
    const stuck = udp(1, 1000, '10.1.0.1', true);
    const live = udp(2, 1001, '10.1.0.2', true);
    const k = kernel(table, [stuck, live]);
    const detector = new UdpBlackHoleDetector({ table: () => table, readEntry: k.readEntry, accounting: () => Promise.resolve(1), silenceMs: 10_000 });
    const seen: (number | undefined)[] = [];
    for (let pass = 0; pass < 8; pass++) {
      // One datagram every other pass (every 10 s with passes 5 s apart).
      if (pass % 2 === 0) k.bump(stuck, 1, 0);
      k.bump(live, 1, 1);
      const [found] = await detector.evaluate(pass * 5_000);
      seen.push(found?.since);
    }
    // Unanswered since it was first read (0); reported once that lasted the silence limit.
    expect(seen).toEqual([undefined, undefined, 0, 0, 0, 0, 0, 0]);
    k.bump(stuck, 1, 1);
    expect(await detector.evaluate(40_000)).toEqual([]);
  });

  it('entries that change in the mirror while the kernel is read do not mix the groups up', async () => {
    const table = new FlowTable();
    const other = (f: Flow, dst: string): Flow => ({ ...f, orig: { ...f.orig, dst } });
    const gone = udp(1, 1000, '10.1.0.1', true);
    const live = udp(2, 1001, '10.1.0.2', true);
    const stuck = other(udp(3, 1002, '10.2.0.1', true), '10.96.0.20');
    const k = kernel(table, [gone, live, stuck]);
    let now = 0;
    let removeDuringRead = false;
    const readEntry = (flow: Flow) => {
      // While the agent reads the first group, the kernel ends one of its entries (the mirror's last row
      // moves into its place) and makes a new one (it takes the last row).
      if (removeDuringRead && flow.id === 1) {
        table.delete(gone);
        table.set(other(udp(9, 1009, '10.9.9.9', true), '10.9.9.9'), 0, true);
      }
      return k.readEntry(flow);
    };
    const detector = new UdpBlackHoleDetector({ table: () => table, readEntry, accounting: () => Promise.resolve(1), silenceMs: 10_000 });
    for (let i = 0; i < 3; i++) {
      k.bump(stuck, 5, 0);
      k.bump(live, 5, 5);
      now += 5_000;
      removeDuringRead = i === 2;
      const found = await detector.evaluate(now);
      if (i < 2) continue;
      expect(found.map((d) => d.id)).toEqual(['udp-black-hole:10.96.0.20:53:10.2.0.1']);
    }
  });

  it('more destinations than reads: they take turns, and a black hole found stays reported while its destination waits', async () => {
    const table = new FlowTable();
    const flows: Flow[] = [];
    // 12 services of 40 clients each (480 entries, 256 reads a pass), each DNATed to one backend.
    for (let svc = 0; svc < 12; svc++)
      for (let i = 0; i < 40; i++) {
        const f = udp(svc * 100 + i + 1, 1000 + i, `10.2.${svc}.1`, true);
        flows.push({ ...f, orig: { ...f.orig, dst: `10.96.1.${svc}` } });
      }
    const k = kernel(table, flows);
    // Service 11's backend stops answering its one client that keeps sending; everything else is answered.
    const stuck = flows[11 * 40] as Flow;
    const detector = new UdpBlackHoleDetector({ table: () => table, readEntry: k.readEntry, accounting: () => Promise.resolve(1), silenceMs: 10_000 });
    const reports: string[][] = [];
    for (let pass = 0; pass < 12; pass++) {
      for (const f of flows) k.bump(f, 1, f === stuck ? 0 : 1);
      reports.push((await detector.evaluate(pass * 5_000)).map((d) => d.id));
    }
    const id = 'udp-black-hole:10.96.1.11:53:10.2.11.1';
    const first = reports.findIndex((r) => r.includes(id));
    expect(first).toBeGreaterThan(0);
    // Once found it is reported on every pass, read or not.
    expect(reports.slice(first).every((r) => r.length === 1 && r[0] === id)).toBe(true);
  });

  it('without accounting: unreplied entries beside answered ones to another target are named, with the accounting fix', async () => {
    const table = new FlowTable();
    for (const f of [udp(1, 1000, VIP, false), udp(2, 1001, '10.1.0.2', true)]) table.set(f, 0, true);
    const detector = new UdpBlackHoleDetector({ table: () => table, accounting: () => Promise.resolve(0), silenceMs: 30_000 });
    const [found] = await detector.evaluate(1_000);
    expect(diagnosisSchema.parse(found)).toEqual(found);
    expect(found).toMatchObject({ severity: 'info', evidence: { query: `udp dst:${VIP} dport:53 reply-src:${VIP} unreplied` } });
    expect(found?.fixes).toEqual([
      expect.objectContaining({ kind: 'sysctl', changes: { 'net.netfilter.nf_conntrack_acct': 1 } }),
      expect.objectContaining({ kind: 'delete', count: 1 }),
    ]);
  });
});
