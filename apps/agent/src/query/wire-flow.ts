import type { Flow, Tuple } from '@ctscope/conntrack';
import type { SnapshotFlow, WireFlow, WireTuple } from '@ctscope/protocol';
import { flowKey } from '../mirror/flow-key';
import type { MirrorEntry } from '../mirror/mirror';

function wireTuple(t: Tuple): WireTuple {
  const out: WireTuple = { src: t.src, dst: t.dst };
  if (t.sport !== undefined) out.sport = t.sport;
  if (t.dport !== undefined) out.dport = t.dport;
  if (t.icmpType !== undefined) out.icmpType = t.icmpType;
  if (t.icmpCode !== undefined) out.icmpCode = t.icmpCode;
  if (t.icmpId !== undefined) out.icmpId = t.icmpId;
  if (t.zone !== undefined) out.zone = t.zone;
  return out;
}

/** Seconds left before the entry expires, counted down from when the kernel last reported it. */
export function remainingTimeout(flow: Flow, seenAt: number, now: number): number | undefined {
  if (flow.timeout === undefined) return undefined;
  return Math.max(0, flow.timeout - Math.floor((now - seenAt) / 1000));
}

const toNumber = (value: bigint): number => (value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value));

/** A mirrored entry as JSON for the wire: counters as numbers, timestamps in milliseconds. */
export function toWireFlow(entry: MirrorEntry, now: number): WireFlow {
  const { flow } = entry;
  return withDetails({ key: flowKey(flow), family: flow.family, proto: flow.proto, protoNum: flow.protoNum, orig: wireTuple(flow.orig), reply: wireTuple(flow.reply), status: [...flow.status] }, entry, now);
}

/** The same without `key`, as a snapshot file stores it (readers derive the key). */
export function toSnapshotFlow(entry: MirrorEntry, now: number): SnapshotFlow {
  const { flow } = entry;
  return withDetails({ family: flow.family, proto: flow.proto, protoNum: flow.protoNum, orig: wireTuple(flow.orig), reply: wireTuple(flow.reply), status: [...flow.status] }, entry, now);
}

function withDetails<T extends SnapshotFlow>(out: T, entry: MirrorEntry, now: number): T {
  const { flow } = entry;
  if (flow.state !== undefined) out.state = flow.state;
  const timeout = remainingTimeout(flow, entry.seenAt, now);
  if (timeout !== undefined) out.timeout = timeout;
  if (flow.mark !== undefined) out.mark = flow.mark;
  if (flow.use !== undefined) out.use = flow.use;
  if (flow.id !== undefined) out.id = flow.id;
  if (flow.zone !== undefined) out.zone = flow.zone;
  if (flow.secctx !== undefined) out.secctx = flow.secctx;
  if (flow.helper !== undefined) out.helper = flow.helper;
  if (flow.labels !== undefined) out.labels = [...flow.labels];
  if (flow.countersOrig) {
    out.packetsOrig = toNumber(flow.countersOrig.packets);
    out.bytesOrig = toNumber(flow.countersOrig.bytes);
  }
  if (flow.countersReply) {
    out.packetsReply = toNumber(flow.countersReply.packets);
    out.bytesReply = toNumber(flow.countersReply.bytes);
  }
  if (flow.timestampStart !== undefined) out.startMs = toNumber(flow.timestampStart / 1_000_000n);
  if (flow.timestampStop !== undefined) out.stopMs = toNumber(flow.timestampStop / 1_000_000n);
  if (flow.nat && (flow.nat.src || flow.nat.dst)) {
    out.nat = {};
    if (flow.nat.src) out.nat.src = { ...flow.nat.src };
    if (flow.nat.dst) out.nat.dst = { ...flow.nat.dst };
  }
  return out;
}
