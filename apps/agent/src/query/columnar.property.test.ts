// The columnar table and its queries against straightforward references over random flows: every
// entry comes back as stored, every filter selects what compileFilter selects on the plain flows, the
// search text is the same text, and windows and aggregates equal plain sorts and counts.
import { compileFilter, flowSearchText, STATUS_BITS, TCP_STATE_NAMES, type Flow, type FlowFilter, type Tuple } from '@ctscope/conntrack';
import { prng, randomFilter } from '@ctscope/conntrack/testing';
import type { KeyCount, SortColumn } from '@ctscope/protocol';
import { describe, expect, it } from 'vitest';
import { flowKey } from '../mirror/flow-key';
import { FlowTable } from '../mirror/flow-table';
import { aggregate } from './aggregate';
import { writeRowSearchText } from './row-search-text';
import { compileRowFilter } from './row-filter';
import { pieceTermPredicate } from './row-piece-search';
import { compileRowSelection } from './row-selection';
import { compareAddresses, addressSortKey } from './sort-keys';
import { queryWindow } from './window';
import { remainingTimeout } from './wire-flow';

type Rand = () => number;
const pick = <T>(rand: Rand, items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
const ADDRESSES_V4 = ['10.0.0.1', '10.0.0.10', '10.1.2.3', '192.168.1.7', '8.8.8.8', '127.0.0.1', '127.0.0.3', '10.0.0.200'];
const ADDRESSES_V6 = ['fd00::1', 'fd00::1:0', '2001:db8::1', '::1', 'fe80::1', '::ffff:10.1.2.3', 'fd00::2'];
const PROTOS: readonly [number, Flow['proto']][] = [[6, 'tcp'], [17, 'udp'], [1, 'icmp'], [58, 'icmpv6'], [132, 'sctp'], [47, 'gre'], [50, 'unknown']];

function randomTuple(rand: Rand, v6: boolean, protoNum: number): Tuple {
  const addresses = v6 ? ADDRESSES_V6 : ADDRESSES_V4;
  const t: Tuple = { src: pick(rand, addresses), dst: pick(rand, addresses), protoNum };
  if (protoNum === 1 || protoNum === 58) {
    t.icmpType = Math.floor(rand() * 20);
    t.icmpCode = Math.floor(rand() * 3);
    t.icmpId = Math.floor(rand() * 65536);
  } else if (protoNum !== 47 && protoNum !== 50) {
    t.sport = pick(rand, [22, 53, 443, 1024, 40000, 65535, Math.floor(rand() * 65536)]);
    t.dport = pick(rand, [22, 53, 80, 443, 10500, Math.floor(rand() * 65536)]);
  }
  if (rand() < 0.05) t.zone = Math.floor(rand() * 4);
  return t;
}

/** A flow as a source could report it: optional fields present or not, NAT sometimes. */
function randomFlow(rand: Rand, id: number): Flow {
  const v6 = rand() < 0.3;
  const [protoNum, proto] = pick(rand, PROTOS);
  const orig = randomTuple(rand, v6, protoNum);
  const reply: Tuple = rand() < 0.7 ? { ...orig, src: orig.dst, dst: orig.src, ...(orig.sport !== undefined ? { sport: orig.dport as number, dport: orig.sport } : {}) } : randomTuple(rand, v6, protoNum);
  const statusBits = Math.floor(rand() * 0x10000);
  const flow: Flow = { family: v6 ? 'ipv6' : 'ipv4', proto, protoNum, orig, reply, status: STATUS_BITS.filter((_, i) => statusBits & (1 << i)), statusBits };
  if (protoNum === 6 && rand() < 0.9) flow.state = pick(rand, [...TCP_STATE_NAMES, 'LISTEN']);
  if (rand() < 0.9) flow.timeout = Math.floor(rand() * 500_000);
  if (rand() < 0.8) flow.mark = pick(rand, [0, 1, 0xffffffff, Math.floor(rand() * 0x100000000)]);
  if (rand() < 0.8) flow.use = 1 + Math.floor(rand() * 3);
  if (rand() < 0.95) flow.id = rand() < 0.1 ? 7 : id; // some ids shared, as the kernel's 32-bit ids may be
  if (rand() < 0.1) flow.zone = Math.floor(rand() * 3);
  if (rand() < 0.05) flow.helper = pick(rand, ['ftp', 'sip', 'Ünïcode']);
  if (rand() < 0.05) flow.secctx = 'system_u:object_r:unlabeled_t:s0';
  if (rand() < 0.05) flow.labels = [1, 5];
  if (rand() < 0.5) flow.countersOrig = { packets: BigInt(Math.floor(rand() * 1000)), bytes: BigInt(Math.floor(rand() * 1e9)) };
  if (rand() < 0.5) flow.countersReply = { packets: BigInt(Math.floor(rand() * 1000)), bytes: BigInt(Math.floor(rand() * 1e9)) };
  if (rand() < 0.3) flow.timestampStart = BigInt(1_700_000_000_000_000_000 + Math.floor(rand() * 1e12));
  return flow;
}

/** The flows a table keeps after `set` of each: a later report of the same entry replaces it. */
function stored(flows: readonly Flow[]): Flow[] {
  const out: Flow[] = [];
  for (const flow of flows) {
    const at = out.findIndex((f) => f.id === flow.id && f.protoNum === flow.protoNum && f.zone === flow.zone && flowKey(f) === flowKey(flow));
    if (at >= 0) out[at] = flow;
    else out.push(flow);
  }
  return out;
}

const opt = (v: number | undefined) => (v === undefined ? NaN : v);
/** Sort keys from a plain Flow, as the queries defined them before the table was columnar. */
const REFERENCE_KEYS: Record<SortColumn, (f: Flow, seenAt: number, now: number) => number> = {
  proto: (f) => f.protoNum,
  src: (f) => addressSortKey(f.orig.src),
  dst: (f) => addressSortKey(f.orig.dst),
  replySrc: (f) => addressSortKey(f.reply.src),
  replyDst: (f) => addressSortKey(f.reply.dst),
  sport: (f) => opt(f.orig.sport ?? f.orig.icmpId),
  dport: (f) => opt(f.orig.dport ?? f.orig.icmpType),
  state: (f) => (f.state === undefined ? NaN : [...new Set([...TCP_STATE_NAMES, 'LISTEN'])].sort().indexOf(f.state)),
  status: (f) => f.statusBits,
  timeout: (f, seenAt, now) => opt(remainingTimeout(f, seenAt, now)),
  packets: (f) => (f.countersOrig || f.countersReply ? Number((f.countersOrig?.packets ?? 0n) + (f.countersReply?.packets ?? 0n)) : NaN),
  bytes: (f) => (f.countersOrig || f.countersReply ? Number((f.countersOrig?.bytes ?? 0n) + (f.countersReply?.bytes ?? 0n)) : NaN),
  mark: (f) => opt(f.mark),
  zone: (f) => opt(f.zone),
  id: (f) => opt(f.id),
  age: (f) => (f.timestampStart === undefined ? NaN : -Number(f.timestampStart / 1_000_000n)),
};
const ADDRESS_OF: Partial<Record<SortColumn, (f: Flow) => string>> = { src: (f) => f.orig.src, dst: (f) => f.orig.dst, replySrc: (f) => f.reply.src, replyDst: (f) => f.reply.dst };

/** The window by sorting every match: missing last, ties by address, id, then key. */
function referenceWindow(flows: readonly Flow[], filter: FlowFilter, column: SortColumn, desc: boolean, offset: number, limit: number, now: number): string[] {
  const match = compileFilter(filter);
  const key = REFERENCE_KEYS[column];
  const sign = desc ? -1 : 1;
  const rows = flows.filter(match).map((f) => ({ f, k: key(f, 0, now), fk: flowKey(f) }));
  rows.sort((a, b) => {
    const am = Number.isNaN(a.k);
    const bm = Number.isNaN(b.k);
    if (am !== bm) return am ? 1 : -1;
    if (!am && a.k !== b.k) return (a.k - b.k) * sign;
    const address = ADDRESS_OF[column];
    if (address) {
      const c = compareAddresses(address(a.f), address(b.f)) * sign;
      if (c !== 0) return c;
    }
    if ((a.f.id ?? 0) !== (b.f.id ?? 0)) return (a.f.id ?? 0) - (b.f.id ?? 0);
    return a.fk < b.fk ? -1 : a.fk > b.fk ? 1 : 0;
  });
  return rows.slice(offset, offset + limit).map((r) => r.fk);
}

function referenceTop(counts: Map<string, number>, n: number): KeyCount[] {
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n).map(([key, count]) => ({ key, count }));
}
const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

describe('the columnar table against plain flows', () => {
  const rand = prng(20_261_206);
  const reported = Array.from({ length: 3_000 }, (_, i) => randomFlow(rand, 1_000 + (i % 2_500)));
  const table = new FlowTable();
  for (const flow of reported) table.set(flow, 0, false);
  // Some removed, some reported again: rows move, addresses are released and reused.
  const removed = reported.filter((_, i) => i % 7 === 3);
  for (const flow of removed) table.delete(flow);
  const flows = stored(reported).filter((f) => !removed.some((r) => flowKey(r) === flowKey(f) && r.id === f.id));

  it('gives every entry back as it was stored', () => {
    expect(table.size).toBe(flows.length);
    const byKey = new Map(flows.map((f) => [`${f.id}/${flowKey(f)}`, f]));
    for (const { flow } of table.entries()) {
      const expected = byKey.get(`${flow.id}/${flowKey(flow)}`);
      const { nat: _nat, ...rest } = flow;
      expect(rest).toEqual(expected);
    }
  });

  it('writes the same search text as a Flow', () => {
    const pieces: string[] = [];
    const sink = { text: (p: string) => pieces.push(p), freeText: (p: string) => pieces.push(p), number: (n: number) => pieces.push(String(n)) };
    for (let row = 0; row < table.size; row++) {
      pieces.length = 0;
      writeRowSearchText(table, row, sink);
      expect(pieces.join('').toLowerCase()).toBe(flowSearchText(table.entryAt(row).flow));
    }
  });

  it('filters on the columns exactly as compileFilter does on the flows', () => {
    const filterRand = prng(7);
    const filters: FlowFilter[] = Array.from({ length: 200 }, () => randomFilter(filterRand));
    filters.push({ text: ['10500'] }, { text: ['src=10.0.0.1 '] }, { text: ['udp  src'] }, { text: ['=0 ', 'assured'] }, { text: [' id=7'] }, { text: ['sport=22 dport'] }, { text: ['established src=fd00::1'] }, { text: ['ünï'] }, { states: ['SYN_SENT2'] }, { zone: 0 }, { nat: 'any' });
    // Port ranges that meet the ports the flows use (random ranges seldom do), with their edges.
    filters.push({ dport: { min: 443, max: 443 } }, { sport: { min: 22, max: 1_024 } }, { replyDport: { min: 22, max: 22 } }, { proto: 6, dport: { min: 53, max: 443 } }, { family: 'ipv6', replySport: { min: 0, max: 65_535 } });
    const rows = table.entries().map((e) => e.flow);
    for (const filter of filters) {
      const expected = compileFilter(filter);
      const actual = compileRowFilter(filter, table);
      for (let row = 0; row < table.size; row++) {
        const flow = rows[row] as Flow;
        if (actual(row) !== expected(flow)) expect({ filter, flow, row: actual(row) }).toEqual({ filter, flow, row: expected(flow) });
      }
      // The same filter as a list of rows, condition by condition (what windows use).
      const selected = new Uint32Array(table.size);
      const count = compileRowSelection(filter, table)(selected);
      const wanted = rows.flatMap((flow, row) => (expected(flow) ? [row] : []));
      expect({ filter, rows: Array.from(selected.subarray(0, count)) }).toEqual({ filter, rows: wanted });
    }
  }, 60_000);

  it('matches a term value by value exactly where the whole text holds it', () => {
    const byPiece = ['0', '1', '7', '05', '22', '443', '10500', '65535', '4294967295', '12345678901', 'udp', 'tcp', 'icmpv6', '50', 'ipv4', '4', '6', 'assured', 'unreplied', 'seen_reply', 'established', 'syn_sent2', 'listen', 'fd00', '10.0.0', '10.0.0.1', '::1', '::ffff:10', ':', '.', 'ftp', 'ünï', 'system_u:object_r', 's0', 'sip', 'nope'];
    const rows = table.entries().map((e) => e.flow);
    for (const term of byPiece) {
      const matches = pieceTermPredicate(table, term);
      expect({ term, byPiece: matches !== undefined }).toEqual({ term, byPiece: true });
      const wanted = rows.flatMap((flow, row) => (flowSearchText(flow).includes(term) ? [row] : []));
      const got = rows.flatMap((_, row) => (matches?.(row) ? [row] : []));
      expect({ term, rows: got }).toEqual({ term, rows: wanted });
    }
    // Terms that may cross pieces or lie in a label's word are left to the whole text.
    for (const term of ['', 'port', 'sport', 'd', 'i', 'src=', '0 dst', 'zon', 'secc', 'lper']) expect({ term, byPiece: pieceTermPredicate(table, term) }).toEqual({ term, byPiece: undefined });
  });

  it('cuts the same windows as sorting every match', () => {
    const columns = Object.keys(REFERENCE_KEYS) as SortColumn[];
    const filters: FlowFilter[] = [{}, { dst: '10.0.0.0/8', text: ['443'] }];
    for (const column of columns) {
      for (const desc of [false, true]) {
        for (const filter of filters) {
          for (const [offset, heapLimit] of [[0, undefined], [1_200, 0], [1_200, Infinity]] as const) {
            const got = queryWindow({ table, filter, spec: { sort: { column, desc }, offset, limit: 50 }, now: 5_000, ...(heapLimit === undefined ? {} : { heapLimit }) });
            const want = referenceWindow(flows, filter, column, desc, offset, 50, 5_000);
            expect({ column, desc, filter, offset, keys: got.rows.map((r) => r.key) }).toEqual({ column, desc, filter, offset, keys: want });
          }
        }
      }
    }
  }, 60_000);

  it('counts the same aggregates as plain maps', () => {
    for (const filter of [{}, { proto: 17 }, { family: 'ipv6' }] as FlowFilter[]) {
      const got = aggregate({ table, filter, top: 5, establishedTimeout: 432_000, now: 10_000 });
      const match = compileFilter(filter);
      const chosen = flows.filter(match);
      const protocols = new Map<string, number>();
      const states = new Map<string, number>();
      const sources = new Map<string, number>();
      const destinations = new Map<string, number>();
      const ports = new Map<string, number>();
      const pairs = new Map<string, number>();
      for (const f of chosen) {
        const proto = f.proto === 'unknown' ? String(f.protoNum) : f.proto;
        bump(protocols, proto);
        if (f.state !== undefined) bump(states, `${proto} ${f.state}`);
        bump(sources, f.orig.src);
        bump(destinations, f.orig.dst);
        if (f.orig.dport !== undefined) bump(ports, `${proto}/${f.orig.dport}`);
        bump(pairs, `${f.orig.src} → ${f.orig.dst}`);
      }
      expect(got.total).toBe(chosen.length);
      expect(got.byProtocol).toEqual(referenceTop(protocols, 300));
      expect(got.byState).toEqual(referenceTop(states, 64));
      expect(got.topSources).toEqual(referenceTop(sources, 5));
      expect(got.topDestinations).toEqual(referenceTop(destinations, 5));
      expect(got.topDestinationPorts).toEqual(referenceTop(ports, 5));
      expect(got.topPairs).toEqual(referenceTop(pairs, 5));
      expect(got.assured).toBe(chosen.filter((f) => f.statusBits & 4).length);
      expect(got.unreplied).toBe(chosen.filter((f) => !(f.statusBits & 2)).length);
    }
  });
});
