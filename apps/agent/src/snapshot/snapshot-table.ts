import { STATUS_BITS, type Flow, type L4ProtoName, type StatusFlag, type Tuple } from '@ctscope/conntrack';
import type { Aggregates, SnapshotFlow, WindowResult, WindowSpec, WireTuple } from '@ctscope/protocol';
import { DEFAULT_ESTABLISHED_TIMEOUT } from '../kernel/netfilter-values';
import { FlowTable } from '../mirror/flow-table';
import { aggregate } from '../query/aggregate';
import { compileQuery } from '../query/compile-query';
import { queryWindow } from '../query/window';

/**
 * A snapshot file's flows in the agent's own table, so an opened snapshot is filtered, sorted and cut
 * into windows by exactly the code that serves a live host (imported by the dashboard through
 * `@ctscope/agent/snapshot`). Times are frozen at the snapshot's `createdAt`.
 */

function tuple(t: WireTuple, protoNum: number): Tuple {
  const out: Tuple = { src: t.src, dst: t.dst, protoNum };
  if (t.sport !== undefined) out.sport = t.sport;
  if (t.dport !== undefined) out.dport = t.dport;
  if (t.icmpType !== undefined) out.icmpType = t.icmpType;
  if (t.icmpCode !== undefined) out.icmpCode = t.icmpCode;
  if (t.icmpId !== undefined) out.icmpId = t.icmpId;
  if (t.zone !== undefined) out.zone = t.zone;
  return out;
}

type NatSide = NonNullable<NonNullable<Flow['nat']>['src']>;
function natSide(side: NonNullable<NonNullable<SnapshotFlow['nat']>['src']>): NatSide {
  const out: NatSide = { from: side.from, to: side.to };
  if (side.fromPort !== undefined) out.fromPort = side.fromPort;
  if (side.toPort !== undefined) out.toPort = side.toPort;
  return out;
}

const STATUS_BIT = new Map<string, number>(STATUS_BITS.map((name, bit) => [name, bit]));

/** A snapshot flow back as the conntrack model (what the kernel would have decoded). */
export function flowOfSnapshot(f: SnapshotFlow): Flow {
  const status = f.status.filter((s): s is StatusFlag => STATUS_BIT.has(s));
  const flow: Flow = {
    family: f.family,
    proto: f.proto as L4ProtoName,
    protoNum: f.protoNum,
    orig: tuple(f.orig, f.protoNum),
    reply: tuple(f.reply, f.protoNum),
    status,
    statusBits: status.reduce((bits, s) => bits | (1 << (STATUS_BIT.get(s) ?? 0)), 0),
  };
  if (f.state !== undefined) flow.state = f.state;
  if (f.timeout !== undefined) flow.timeout = f.timeout;
  if (f.mark !== undefined) flow.mark = f.mark;
  if (f.use !== undefined) flow.use = f.use;
  if (f.id !== undefined) flow.id = f.id;
  if (f.zone !== undefined) flow.zone = f.zone;
  if (f.secctx !== undefined) flow.secctx = f.secctx;
  if (f.helper !== undefined) flow.helper = f.helper;
  if (f.labels !== undefined) flow.labels = [...f.labels];
  if (f.packetsOrig !== undefined || f.bytesOrig !== undefined) flow.countersOrig = { packets: BigInt(f.packetsOrig ?? 0), bytes: BigInt(f.bytesOrig ?? 0) };
  if (f.packetsReply !== undefined || f.bytesReply !== undefined) flow.countersReply = { packets: BigInt(f.packetsReply ?? 0), bytes: BigInt(f.bytesReply ?? 0) };
  if (f.startMs !== undefined) flow.timestampStart = BigInt(f.startMs) * 1_000_000n;
  if (f.stopMs !== undefined) flow.timestampStop = BigInt(f.stopMs) * 1_000_000n;
  if (f.nat) {
    const nat: NonNullable<Flow['nat']> = {};
    if (f.nat.src) nat.src = natSide(f.nat.src);
    if (f.nat.dst) nat.dst = natSide(f.nat.dst);
    flow.nat = nat;
  }
  return flow;
}

export type SnapshotQuery<T> = { ok: true; data: T } | { ok: false; message: string };

export class SnapshotTable {
  private readonly table = new FlowTable();

  /** The host's nf_conntrack_tcp_timeout_established at the time (for the idle histogram); from the file's sysctls. */
  establishedTimeout = DEFAULT_ESTABLISHED_TIMEOUT;

  /** `createdAt`: the snapshot's time, the `now` of every query (timeouts as they were then). */
  constructor(readonly createdAt: number) {}

  add(flow: SnapshotFlow): void {
    this.table.set(flowOfSnapshot(flow), this.createdAt, false);
  }

  get size(): number {
    return this.table.size;
  }

  window(spec: WindowSpec): SnapshotQuery<WindowResult> {
    const match = compileQuery(spec.query);
    if (!match.ok) return match;
    return { ok: true, data: queryWindow({ table: this.table, filter: match.filter, spec, now: this.createdAt }) };
  }

  aggregates(query: string, top: number): SnapshotQuery<Aggregates> {
    const match = compileQuery(query);
    if (!match.ok) return match;
    return { ok: true, data: aggregate({ table: this.table, filter: match.filter, top, establishedTimeout: this.establishedTimeout, now: this.createdAt }) };
  }
}
