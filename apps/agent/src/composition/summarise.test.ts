import type { Flow } from '@ctscope/conntrack';
import { COMPOSITION_TOP, type Composition, type KeyCount, type RankedList } from '@ctscope/protocol';
import { describe, expect, it } from 'vitest';
import { tableOf } from '../query/testing/entries';
import type { MirrorEntry } from '../mirror/mirror';
import { summarise } from './summarise';

/** A small deterministic generator (mulberry32), so a failure repeats. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const STATES = ['ESTABLISHED', 'TIME_WAIT', 'SYN_SENT', 'CLOSE'];
const STATUS = ['SEEN_REPLY', 'ASSURED', 'CONFIRMED', 'SRC_NAT', 'DST_NAT'] as const;
const STATUS_BIT = { SEEN_REPLY: 1, ASSURED: 2, CONFIRMED: 3, SRC_NAT: 4, DST_NAT: 5 } as const;

/** Random flows with skewed popularity (a few hot addresses and ports, a long tail). */
function randomFlows(n: number, seed: number): MirrorEntry[] {
  const r = random(seed);
  const skewed = (range: number) => Math.floor(range * r() ** 3);
  return Array.from({ length: n }, (_, i) => {
    const kind = r();
    const proto = kind < 0.6 ? 'tcp' : kind < 0.9 ? 'udp' : 'icmp';
    const protoNum = proto === 'tcp' ? 6 : proto === 'udp' ? 17 : 1;
    const src = r() < 0.1 ? `fd00::${skewed(300).toString(16)}` : `10.${skewed(4)}.${skewed(20)}.${skewed(200)}`;
    const dst = src.includes(':') ? `fd00::1:${skewed(40).toString(16)}` : `192.168.${skewed(3)}.${skewed(120)}`;
    const status = STATUS.filter(() => r() < 0.5);
    const sport = 1024 + Math.floor(r() * 60_000);
    const dport = skewed(2_000);
    const ports = proto === 'icmp' ? { icmpType: 8, icmpCode: 0, icmpId: i & 0xffff } : { sport, dport };
    const replyPorts = proto === 'icmp' ? { icmpType: 0, icmpCode: 0, icmpId: i & 0xffff } : { sport: dport, dport: sport };
    const flow: Flow = {
      family: src.includes(':') ? 'ipv6' : 'ipv4',
      proto,
      protoNum,
      orig: { src, dst, protoNum, ...ports },
      reply: { src: dst, dst: src, protoNum, ...replyPorts },
      status: [...status],
      statusBits: status.reduce((bits, s) => bits | (1 << STATUS_BIT[s]), 0),
      timeout: 100,
      id: i + 1,
    };
    if (proto === 'tcp') flow.state = STATES[Math.floor(r() * STATES.length)] as string;
    return { flow, seenAt: 0 };
  });
}

const tally = (keys: string[]) => {
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return counts;
};
const sorted = (counts: Map<string, number>): KeyCount[] => [...counts].map(([key, count]) => ({ key, count })).sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1));
const rankedOf = (counts: Map<string, number>): RankedList => {
  const all = sorted(counts);
  return { top: all.slice(0, COMPOSITION_TOP), rest: all[COMPOSITION_TOP]?.count ?? 0 };
};

/** The straightforward summary: one Map per dimension over materialised flows. */
function reference(entries: readonly MirrorEntry[]): Omit<Composition, 'at' | 'tookMs' | 'byNetns'> {
  const flows = entries.map((e) => e.flow);
  return {
    total: flows.length,
    byProtocol: sorted(tally(flows.map((f) => f.proto))),
    byState: sorted(tally(flows.filter((f) => f.state !== undefined).map((f) => `${f.proto} ${f.state}`))),
    byStatus: sorted(tally(flows.flatMap((f) => f.status))),
    sources: rankedOf(tally(flows.map((f) => f.orig.src))),
    destinations: rankedOf(tally(flows.map((f) => f.orig.dst))),
    ports: rankedOf(tally(flows.filter((f) => f.orig.dport !== undefined).map((f) => `${f.proto}/${f.orig.dport}`))),
    pairs: rankedOf(tally(flows.map((f) => `${f.orig.src} → ${f.orig.dst}`))),
  };
}

describe('composition summary', () => {
  it.each([1, 2, 3])('matches a straightforward count over random flows (seed %i)', (seed) => {
    const entries = randomFlows(6_000, seed);
    const got = summarise(tableOf(entries), (total) => [{ netns: '4026531840', name: 'host', source: 'host', entries: total }], 1_234);
    const { at, tookMs, byNetns, ...counts } = got;
    expect(counts).toEqual(reference(entries));
    expect(at).toBe(1_234);
    expect(tookMs).toBeGreaterThanOrEqual(0);
    expect(byNetns).toEqual([{ netns: '4026531840', name: 'host', source: 'host', entries: 6_000 }]);
    // The long tails really were cut: the cut-off is the 51st count, not 0.
    expect(got.sources.top).toHaveLength(COMPOSITION_TOP);
    expect(got.sources.rest).toBeGreaterThan(0);
    expect(got.sources.rest).toBeLessThanOrEqual(got.sources.top[COMPOSITION_TOP - 1]?.count ?? 0);
  });

  it('keeps every key and a zero cut-off when fewer than 50 exist, and counts an empty table', () => {
    const entries = randomFlows(40, 9);
    const got = summarise(tableOf(entries), () => []);
    expect(got.pairs.rest).toBe(0);
    expect(got.pairs.top.reduce((s, k) => s + k.count, 0)).toBe(40);
    const empty = summarise(tableOf([]), () => []);
    expect(empty).toMatchObject({ total: 0, byProtocol: [], sources: { top: [], rest: 0 }, ports: { top: [], rest: 0 } });
  });
});
