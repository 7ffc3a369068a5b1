import type { Tuple } from '@ctscope/conntrack';

/** Which optional parts a row holds (the `flags` column). */
export const HAS = {
  ID: 1 << 0,
  IPV6: 1 << 1,
  EVENTLESS: 1 << 2,
  TIMEOUT: 1 << 3,
  MARK: 1 << 4,
  USE: 1 << 5,
  ZONE: 1 << 6,
  COUNTERS_ORIG: 1 << 7,
  COUNTERS_REPLY: 1 << 8,
  TIMESTAMP_START: 1 << 9,
  TIMESTAMP_STOP: 1 << 10,
  /** Labels, helper or security context, kept aside (see FlowTable.extras). */
  EXTRA: 1 << 11,
} as const;

/** Per tuple (original at bit 16, reply at bit 24): which of its optional fields are present. */
export const TUPLE = { SPORT: 1, DPORT: 2, ICMP_TYPE: 4, ICMP_CODE: 8, ICMP_ID: 16, ZONE: 32 } as const;
export const ORIG_SHIFT = 16;
export const REPLY_SHIFT = 24;

type Typed = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array | BigUint64Array;

function resized<T extends Typed>(array: T, capacity: number, make: (n: number) => T): T {
  const out = make(capacity);
  if (array.length <= capacity) out.set(array as never);
  else out.set(array.subarray(0, capacity) as never);
  return out;
}

/**
 * The table's columns: one typed array per field, row `r` of every column describing one entry. About
 * 90 bytes per entry (counters and timestamps add 32 and 16 when the kernel sends them), against 400
 * and more for an object graph per flow, and nothing for the garbage collector to trace.
 */
export class Columns {
  capacity = 0;
  id = new Uint32Array(0);
  seenAt = new Float64Array(0);
  generation = new Uint16Array(0);
  flags = new Uint32Array(0);
  protoNum = new Uint8Array(0);
  /** 1 + index into the table's state names; 0 when the entry has no state. */
  state = new Uint8Array(0);
  statusBits = new Uint32Array(0);
  timeout = new Uint32Array(0);
  mark = new Uint32Array(0);
  use = new Uint32Array(0);
  zone = new Uint16Array(0);
  /** Address numbers (see AddressPool). */
  origSrc = new Uint32Array(0);
  origDst = new Uint32Array(0);
  replySrc = new Uint32Array(0);
  replyDst = new Uint32Array(0);
  origSport = new Uint16Array(0);
  origDport = new Uint16Array(0);
  replySport = new Uint16Array(0);
  replyDport = new Uint16Array(0);
  origIcmpType = new Uint8Array(0);
  origIcmpCode = new Uint8Array(0);
  origIcmpId = new Uint16Array(0);
  replyIcmpType = new Uint8Array(0);
  replyIcmpCode = new Uint8Array(0);
  replyIcmpId = new Uint16Array(0);
  origZone = new Uint16Array(0);
  replyZone = new Uint16Array(0);
  /** 1 + the next row in the same id bucket, 0 at the end (see FlowTable's index). */
  next = new Int32Array(0);
  /** Packets and bytes, original then reply (4 per row), allocated when the first entry has counters. */
  counters: BigUint64Array | null = null;
  /** Start and stop, ns (2 per row), allocated when the first entry has timestamps. */
  timestamps: BigUint64Array | null = null;

  resize(capacity: number): void {
    this.capacity = capacity;
    this.id = resized(this.id, capacity, (n) => new Uint32Array(n));
    this.seenAt = resized(this.seenAt, capacity, (n) => new Float64Array(n));
    this.generation = resized(this.generation, capacity, (n) => new Uint16Array(n));
    this.flags = resized(this.flags, capacity, (n) => new Uint32Array(n));
    this.protoNum = resized(this.protoNum, capacity, (n) => new Uint8Array(n));
    this.state = resized(this.state, capacity, (n) => new Uint8Array(n));
    this.statusBits = resized(this.statusBits, capacity, (n) => new Uint32Array(n));
    this.timeout = resized(this.timeout, capacity, (n) => new Uint32Array(n));
    this.mark = resized(this.mark, capacity, (n) => new Uint32Array(n));
    this.use = resized(this.use, capacity, (n) => new Uint32Array(n));
    this.zone = resized(this.zone, capacity, (n) => new Uint16Array(n));
    this.origSrc = resized(this.origSrc, capacity, (n) => new Uint32Array(n));
    this.origDst = resized(this.origDst, capacity, (n) => new Uint32Array(n));
    this.replySrc = resized(this.replySrc, capacity, (n) => new Uint32Array(n));
    this.replyDst = resized(this.replyDst, capacity, (n) => new Uint32Array(n));
    this.origSport = resized(this.origSport, capacity, (n) => new Uint16Array(n));
    this.origDport = resized(this.origDport, capacity, (n) => new Uint16Array(n));
    this.replySport = resized(this.replySport, capacity, (n) => new Uint16Array(n));
    this.replyDport = resized(this.replyDport, capacity, (n) => new Uint16Array(n));
    this.origIcmpType = resized(this.origIcmpType, capacity, (n) => new Uint8Array(n));
    this.origIcmpCode = resized(this.origIcmpCode, capacity, (n) => new Uint8Array(n));
    this.origIcmpId = resized(this.origIcmpId, capacity, (n) => new Uint16Array(n));
    this.replyIcmpType = resized(this.replyIcmpType, capacity, (n) => new Uint8Array(n));
    this.replyIcmpCode = resized(this.replyIcmpCode, capacity, (n) => new Uint8Array(n));
    this.replyIcmpId = resized(this.replyIcmpId, capacity, (n) => new Uint16Array(n));
    this.origZone = resized(this.origZone, capacity, (n) => new Uint16Array(n));
    this.replyZone = resized(this.replyZone, capacity, (n) => new Uint16Array(n));
    this.next = resized(this.next, capacity, (n) => new Int32Array(n));
    if (this.counters) this.counters = resized(this.counters, 4 * capacity, (n) => new BigUint64Array(n));
    if (this.timestamps) this.timestamps = resized(this.timestamps, 2 * capacity, (n) => new BigUint64Array(n));
  }

  /** Copies row `from` over row `to` (the id chain link excepted: the index relinks it). */
  move(from: number, to: number): void {
    this.id[to] = this.id[from] as number;
    this.seenAt[to] = this.seenAt[from] as number;
    this.generation[to] = this.generation[from] as number;
    this.flags[to] = this.flags[from] as number;
    this.protoNum[to] = this.protoNum[from] as number;
    this.state[to] = this.state[from] as number;
    this.statusBits[to] = this.statusBits[from] as number;
    this.timeout[to] = this.timeout[from] as number;
    this.mark[to] = this.mark[from] as number;
    this.use[to] = this.use[from] as number;
    this.zone[to] = this.zone[from] as number;
    this.origSrc[to] = this.origSrc[from] as number;
    this.origDst[to] = this.origDst[from] as number;
    this.replySrc[to] = this.replySrc[from] as number;
    this.replyDst[to] = this.replyDst[from] as number;
    this.origSport[to] = this.origSport[from] as number;
    this.origDport[to] = this.origDport[from] as number;
    this.replySport[to] = this.replySport[from] as number;
    this.replyDport[to] = this.replyDport[from] as number;
    this.origIcmpType[to] = this.origIcmpType[from] as number;
    this.origIcmpCode[to] = this.origIcmpCode[from] as number;
    this.origIcmpId[to] = this.origIcmpId[from] as number;
    this.replyIcmpType[to] = this.replyIcmpType[from] as number;
    this.replyIcmpCode[to] = this.replyIcmpCode[from] as number;
    this.replyIcmpId[to] = this.replyIcmpId[from] as number;
    this.origZone[to] = this.origZone[from] as number;
    this.replyZone[to] = this.replyZone[from] as number;
    if (this.counters) this.counters.copyWithin(4 * to, 4 * from, 4 * from + 4);
    if (this.timestamps) this.timestamps.copyWithin(2 * to, 2 * from, 2 * from + 2);
  }
}

/** A tuple's presence bits (TUPLE), to shift into a row's flags. */
export function tupleFlags(t: Tuple): number {
  let f = 0;
  if (t.sport !== undefined) f |= TUPLE.SPORT;
  if (t.dport !== undefined) f |= TUPLE.DPORT;
  if (t.icmpType !== undefined) f |= TUPLE.ICMP_TYPE;
  if (t.icmpCode !== undefined) f |= TUPLE.ICMP_CODE;
  if (t.icmpId !== undefined) f |= TUPLE.ICMP_ID;
  if (t.zone !== undefined) f |= TUPLE.ZONE;
  return f;
}

/** Writes a tuple's ports, ICMP fields and zone into row `row` (its addresses are pooled by the table). */
export function writeTuple(c: Columns, row: number, t: Tuple, orig: boolean): void {
  if (t.sport !== undefined) (orig ? c.origSport : c.replySport)[row] = t.sport;
  if (t.dport !== undefined) (orig ? c.origDport : c.replyDport)[row] = t.dport;
  if (t.icmpType !== undefined) (orig ? c.origIcmpType : c.replyIcmpType)[row] = t.icmpType;
  if (t.icmpCode !== undefined) (orig ? c.origIcmpCode : c.replyIcmpCode)[row] = t.icmpCode;
  if (t.icmpId !== undefined) (orig ? c.origIcmpId : c.replyIcmpId)[row] = t.icmpId;
  if (t.zone !== undefined) (orig ? c.origZone : c.replyZone)[row] = t.zone;
}
