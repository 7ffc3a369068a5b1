import { STATUS_BITS } from '@ctscope/conntrack';
import { COMPOSITION_TOP, type Composition, type KeyCount, type NetnsCount, type RankedList } from '@ctscope/protocol';
import { ORIG_SHIFT, TUPLE } from '../mirror/columns';
import type { FlowTable } from '../mirror/flow-table';
import { nonZero, PairCounts, topCounts, topNumbered, topPairs } from '../query/aggregate';

/** Entries per network namespace; the agent passes its own (see ownNetns), a netns counter may replace it. */
export type NetnsProvider = (total: number) => NetnsCount[];

/** The first COMPOSITION_TOP of one more than that, the one more giving the cut-off. */
function ranked(top: KeyCount[]): RankedList {
  return { top: top.slice(0, COMPOSITION_TOP), rest: top[COMPOSITION_TOP]?.count ?? 0 };
}

/**
 * The table's composition, counted from the columns in one pass: by protocol, state and status flag,
 * the top sources, destinations, destination ports and pairs (each with its cut-off), and the
 * namespaces the provider reports. `tookMs` is the CPU time it took.
 */
export function summarise(table: FlowTable, netns: NetnsProvider, now = Date.now()): Composition {
  const cpu = process.cpuUsage();
  const c = table.columns;
  const pool = table.addresses;
  const span = Math.max(1, pool.span);
  const byProtoState = new Uint32Array(256 * 256);
  const byBit = new Uint32Array(32);
  const sources = new Uint32Array(span);
  const destinations = new Uint32Array(span);
  const portsByProto: (Uint32Array | undefined)[] = [];
  const pairs = new PairCounts(Math.min(table.size, 1 << 20));
  const size = table.size;
  for (let row = 0; row < size; row++) {
    const protoNum = c.protoNum[row] as number;
    const cell = protoNum * 256 + (c.state[row] as number);
    byProtoState[cell] = (byProtoState[cell] as number) + 1;
    for (let bits = c.statusBits[row] as number; bits !== 0; bits &= bits - 1) {
      const bit = 31 - Math.clz32(bits & -bits);
      byBit[bit] = (byBit[bit] as number) + 1;
    }
    const src = c.origSrc[row] as number;
    const dst = c.origDst[row] as number;
    sources[src] = (sources[src] as number) + 1;
    destinations[dst] = (destinations[dst] as number) + 1;
    if (((c.flags[row] as number) >>> ORIG_SHIFT) & TUPLE.DPORT) {
      const ports = (portsByProto[protoNum] ??= new Uint32Array(65_536));
      const port = c.origDport[row] as number;
      ports[port] = (ports[port] as number) + 1;
    }
    pairs.bump(src * span + dst);
  }

  const protoText = (protoNum: number) => {
    const name = table.protoName(protoNum);
    return name === 'unknown' ? String(protoNum) : name;
  };
  const byProtocol = new Map<string, number>();
  const byState = new Map<string, number>();
  for (let cell = 0; cell < byProtoState.length; cell++) {
    const n = byProtoState[cell] as number;
    if (n === 0) continue;
    const proto = protoText(cell >>> 8);
    byProtocol.set(proto, (byProtocol.get(proto) ?? 0) + n);
    if ((cell & 255) !== 0) byState.set(`${proto} ${table.stateName(cell & 255)}`, n);
  }
  const byStatus = new Map<string, number>();
  byBit.forEach((n, bit) => {
    if (n !== 0) byStatus.set(STATUS_BITS[bit] ?? `bit${bit}`, n);
  });
  const ports = new Map<string, number>();
  portsByProto.forEach((counts, protoNum) => {
    if (!counts) return;
    const proto = protoText(protoNum);
    for (let port = 0; port < 65_536; port++) if (counts[port] !== 0) ports.set(`${proto}/${port}`, counts[port] as number);
  });
  const address = (i: number) => pool.strings[i] as string;
  const src = nonZero(sources, span);
  const dst = nonZero(destinations, span);
  const keep = COMPOSITION_TOP + 1;
  const composition: Composition = {
    at: now,
    total: size,
    byProtocol: topCounts(byProtocol, 256),
    byState: topCounts(byState, 128),
    byStatus: topCounts(byStatus, 32),
    sources: ranked(topNumbered(src.numbers, src.counts, src.length, keep, address)),
    destinations: ranked(topNumbered(dst.numbers, dst.counts, dst.length, keep, address)),
    ports: ranked(topCounts(ports, keep)),
    pairs: ranked(topPairs(pairs, span, pool.strings, keep)),
    byNetns: netns(size).slice(0, 1_024),
    tookMs: 0,
  };
  const used = process.cpuUsage(cpu);
  composition.tookMs = (used.user + used.system) / 1000;
  return composition;
}
