import { STATUS_BITS, type Counters, type Family, type Flow, type L4ProtoName, type StatusFlag, type Tuple } from '../flow';
import { DCCP_STATE_NAMES, SCTP_STATE_NAMES, TCP_STATE_NAMES } from '../filter/vocab';
import { formatAddress } from '../filter/address';
import { deriveNat } from '../nat';
import { cString, ipv4, u16be, u16le, u32be, u64be } from './bytes';
import { AF_INET, AF_INET6, CTA, CTA_COUNTERS, CTA_HELP_NAME, CTA_IP, CTA_PROTO, CTA_PROTOINFO, CTA_PROTOINFO_STATE, CTA_SECCTX_NAME, CTA_TIMESTAMP, CTA_TUPLE, NLA_TYPE_MASK, PROTO } from './constants';
import { DecodeError } from './errors';

export const PROTO_NAMES: Readonly<Record<number, L4ProtoName>> = {
  [PROTO.ICMP]: 'icmp',
  [PROTO.TCP]: 'tcp',
  [PROTO.UDP]: 'udp',
  [PROTO.DCCP]: 'dccp',
  [PROTO.GRE]: 'gre',
  [PROTO.ICMPV6]: 'icmpv6',
  [PROTO.SCTP]: 'sctp',
  [PROTO.UDPLITE]: 'udplite',
};

// Most tables hold a handful of distinct status values: share one frozen name list per value.
const statusCache = new Map<number, StatusFlag[]>();
export function statusNames(bits: number): StatusFlag[] {
  let names = statusCache.get(bits);
  if (!names) {
    names = STATUS_BITS.filter((_, i) => (bits & (1 << i)) !== 0);
    Object.freeze(names);
    if (statusCache.size < 4096) statusCache.set(bits, names);
  }
  return names;
}

/** Walks the attributes in [start, end), calling `visit(type, payloadStart, payloadEnd)`. */
export function forEachAttr(buf: Uint8Array, start: number, end: number, visit: (type: number, p: number, pend: number) => void): void {
  let off = start;
  while (off + 4 <= end) {
    const len = u16le(buf, off);
    if (len < 4 || off + len > end) throw new DecodeError(`attribute length ${len} overruns its container`, off);
    visit(u16le(buf, off + 2) & NLA_TYPE_MASK, off + 4, off + len);
    off += (len + 3) & ~3;
  }
}

export function need(len: number, have: number, what: string, at: number): void {
  if (have < len) throw new DecodeError(`${what} needs ${len} bytes, has ${have}`, at);
}

export function ipv6(buf: Uint8Array, o: number): string {
  return formatAddress({ family: 6, words: [u32be(buf, o), u32be(buf, o + 4), u32be(buf, o + 8), u32be(buf, o + 12)] });
}

/** Reads one attribute header at `off`; returns its total length after checking it fits in `end`. */
function attrLength(buf: Uint8Array, off: number, end: number): number {
  const len = u16le(buf, off);
  if (len < 4 || off + len > end) throw new DecodeError(`attribute length ${len} overruns its container`, off);
  return len;
}

const attrType = (buf: Uint8Array, off: number): number => u16le(buf, off + 2) & NLA_TYPE_MASK;

/** Scratch space for one tuple: fields are gathered here, then the Tuple is built in one literal. */
interface TupleScratch {
  src: string;
  dst: string;
  protoNum: number;
  sport: number;
  dport: number;
  icmpId: number;
  icmpType: number;
  icmpCode: number;
  zone: number;
}

const newScratch = (): TupleScratch => ({ src: '', dst: '', protoNum: 0, sport: -1, dport: -1, icmpId: -1, icmpType: -1, icmpCode: -1, zone: -1 });
const origScratch = newScratch();
const replyScratch = newScratch();

function decodeTupleIp(buf: Uint8Array, t: TupleScratch, start: number, end: number): void {
  for (let off = start; off + 4 <= end; ) {
    const len = attrLength(buf, off, end);
    const q = off + 4;
    const size = len - 4;
    switch (attrType(buf, off)) {
      case CTA_IP.V4_SRC:
        need(4, size, 'IPv4 source', q);
        t.src = ipv4(buf, q);
        break;
      case CTA_IP.V4_DST:
        need(4, size, 'IPv4 destination', q);
        t.dst = ipv4(buf, q);
        break;
      case CTA_IP.V6_SRC:
        need(16, size, 'IPv6 source', q);
        t.src = ipv6(buf, q);
        break;
      case CTA_IP.V6_DST:
        need(16, size, 'IPv6 destination', q);
        t.dst = ipv6(buf, q);
        break;
    }
    off += (len + 3) & ~3;
  }
}

function decodeTupleProto(buf: Uint8Array, t: TupleScratch, start: number, end: number): void {
  for (let off = start; off + 4 <= end; ) {
    const len = attrLength(buf, off, end);
    const q = off + 4;
    const size = len - 4;
    switch (attrType(buf, off)) {
      case CTA_PROTO.NUM:
        need(1, size, 'protocol number', q);
        t.protoNum = buf[q] as number;
        break;
      case CTA_PROTO.SRC_PORT:
        need(2, size, 'source port', q);
        t.sport = u16be(buf, q);
        break;
      case CTA_PROTO.DST_PORT:
        need(2, size, 'destination port', q);
        t.dport = u16be(buf, q);
        break;
      case CTA_PROTO.ICMP_ID:
      case CTA_PROTO.ICMPV6_ID:
        need(2, size, 'ICMP id', q);
        t.icmpId = u16be(buf, q);
        break;
      case CTA_PROTO.ICMP_TYPE:
      case CTA_PROTO.ICMPV6_TYPE:
        need(1, size, 'ICMP type', q);
        t.icmpType = buf[q] as number;
        break;
      case CTA_PROTO.ICMP_CODE:
      case CTA_PROTO.ICMPV6_CODE:
        need(1, size, 'ICMP code', q);
        t.icmpCode = buf[q] as number;
        break;
    }
    off += (len + 3) & ~3;
  }
}

/** Reads one CTA_TUPLE_* nest into `t` (reset first: a repeated attribute replaces the earlier one). */
function readTuple(buf: Uint8Array, t: TupleScratch, start: number, end: number): void {
  t.src = t.dst = '';
  t.protoNum = 0;
  t.sport = t.dport = t.icmpId = t.icmpType = t.icmpCode = t.zone = -1;
  for (let off = start; off + 4 <= end; ) {
    const len = attrLength(buf, off, end);
    const type = attrType(buf, off);
    if (type === CTA_TUPLE.IP) decodeTupleIp(buf, t, off + 4, off + len);
    else if (type === CTA_TUPLE.PROTO) decodeTupleProto(buf, t, off + 4, off + len);
    else if (type === CTA_TUPLE.ZONE) {
      need(2, len - 4, 'tuple zone', off + 4);
      t.zone = u16be(buf, off + 4);
    }
    off += (len + 3) & ~3;
  }
}

/** Both ports and no tuple zone: the shape of nearly every TCP/UDP tuple. */
const portShape = (t: TupleScratch): boolean => t.sport >= 0 && t.dport >= 0 && t.zone < 0;

function tupleOf(t: TupleScratch): Tuple {
  // One literal per common shape keeps V8's hidden classes few and avoids growing objects later.
  let tuple: Tuple;
  if (t.sport >= 0 && t.dport >= 0) tuple = { src: t.src, dst: t.dst, protoNum: t.protoNum, sport: t.sport, dport: t.dport };
  else if (t.icmpType >= 0) tuple = { src: t.src, dst: t.dst, protoNum: t.protoNum, icmpType: t.icmpType, icmpCode: t.icmpCode < 0 ? 0 : t.icmpCode, icmpId: t.icmpId < 0 ? 0 : t.icmpId };
  else {
    tuple = { src: t.src, dst: t.dst, protoNum: t.protoNum };
    if (t.sport >= 0) tuple.sport = t.sport;
    if (t.dport >= 0) tuple.dport = t.dport;
  }
  if (t.zone >= 0) tuple.zone = t.zone;
  return tuple;
}

const looseScratch = newScratch();

/** One CTA_TUPLE_* nest as a Tuple (expectations carry three of them). */
export function decodeTuple(buf: Uint8Array, start: number, end: number): Tuple {
  readTuple(buf, looseScratch, start, end);
  return tupleOf(looseScratch);
}

function decodeCounters(buf: Uint8Array, start: number, end: number): Counters {
  let packets = 0n;
  let bytes = 0n;
  forEachAttr(buf, start, end, (type, p, pend) => {
    const size = pend - p;
    if (type === CTA_COUNTERS.PACKETS || type === CTA_COUNTERS.BYTES) {
      need(8, size, 'counter', p);
      if (type === CTA_COUNTERS.PACKETS) packets = u64be(buf, p);
      else bytes = u64be(buf, p);
    } else if (type === CTA_COUNTERS.PACKETS32 || type === CTA_COUNTERS.BYTES32) {
      need(4, size, 'counter', p);
      if (type === CTA_COUNTERS.PACKETS32) packets = BigInt(u32be(buf, p));
      else bytes = BigInt(u32be(buf, p));
    }
  });
  return { packets, bytes };
}

function decodeTimestamps(buf: Uint8Array, into: Partial<Flow>, start: number, end: number): void {
  forEachAttr(buf, start, end, (ts, q, qend) => {
    if (ts !== CTA_TIMESTAMP.START && ts !== CTA_TIMESTAMP.STOP) return;
    need(8, qend - q, 'timestamp', q);
    if (ts === CTA_TIMESTAMP.START) into.timestampStart = u64be(buf, q);
    else into.timestampStop = u64be(buf, q);
  });
}

export function stateName(protoNum: number, state: number): string {
  const names: readonly string[] | undefined = protoNum === PROTO.TCP ? TCP_STATE_NAMES : protoNum === PROTO.SCTP ? SCTP_STATE_NAMES : protoNum === PROTO.DCCP ? DCCP_STATE_NAMES : undefined;
  return names?.[state] ?? 'UNKNOWN';
}

/** TCP/DCCP/SCTP state from CTA_PROTOINFO (plain loops: it is on the path of every TCP entry). */
export function decodeProtoinfoState(buf: Uint8Array, start: number, end: number): number | undefined {
  let state: number | undefined;
  for (let off = start; off + 4 <= end; ) {
    const len = attrLength(buf, off, end);
    const type = attrType(buf, off);
    if (type === CTA_PROTOINFO.TCP || type === CTA_PROTOINFO.DCCP || type === CTA_PROTOINFO.SCTP) {
      for (let inner = off + 4; inner + 4 <= off + len; ) {
        const innerLen = attrLength(buf, inner, off + len);
        if (attrType(buf, inner) === CTA_PROTOINFO_STATE) {
          need(1, innerLen - 4, 'protocol state', inner + 4);
          state = buf[inner + 4] as number;
        }
        inner += (innerLen + 3) & ~3;
      }
    }
    off += (len + 3) & ~3;
  }
  return state;
}

function labelBits(buf: Uint8Array, start: number, end: number): number[] {
  const bits: number[] = [];
  // The kernel sends the label bitmap as host-order longs; on little-endian hosts bit i is byte i/8, bit i%8.
  for (let i = 0; i < (end - start) * 8; i++) if (((buf[start + (i >> 3)] as number) & (1 << (i & 7))) !== 0) bits.push(i);
  return bits;
}

/**
 * The attributes most entries lack (counters, timestamps, helper, security context, labels), kept out
 * of decodeFlow: its closures would otherwise make every call allocate a context.
 */
function decodeRare(buf: Uint8Array, type: number, p: number, pend: number, into: Partial<Flow> | undefined): Partial<Flow> | undefined {
  let rare = into;
  switch (type) {
    case CTA.COUNTERS_ORIG:
      (rare ??= {}).countersOrig = decodeCounters(buf, p, pend);
      break;
    case CTA.COUNTERS_REPLY:
      (rare ??= {}).countersReply = decodeCounters(buf, p, pend);
      break;
    case CTA.TIMESTAMP:
      decodeTimestamps(buf, (rare ??= {}), p, pend);
      break;
    case CTA.HELP:
      forEachAttr(buf, p, pend, (h, q, qend) => {
        if (h === CTA_HELP_NAME) (rare ??= {}).helper = cString(buf, q, qend);
      });
      break;
    case CTA.SECCTX:
      forEachAttr(buf, p, pend, (sc, q, qend) => {
        if (sc === CTA_SECCTX_NAME) (rare ??= {}).secctx = cString(buf, q, qend);
      });
      break;
    case CTA.LABELS: {
      const bits = labelBits(buf, p, pend);
      if (bits.length > 0) (rare ??= {}).labels = bits;
      break;
    }
  }
  return rare;
}

/**
 * Decodes one conntrack message body (after nlmsghdr): the nfgenmsg at `start`, then attributes up to
 * `end`. Throws DecodeError on malformed input.
 */
export function decodeFlow(buf: Uint8Array, start: number, end: number): Flow {
  if (end - start < 4) throw new DecodeError('conntrack message shorter than its nfgenmsg header', start);
  const af = buf[start] as number;
  if (af !== AF_INET && af !== AF_INET6) throw new DecodeError(`unknown address family ${af}`, start);
  const family: Family = af === AF_INET ? 'ipv4' : 'ipv6';
  let hasOrig = false;
  let hasReply = false;
  const o = origScratch;
  const r = replyScratch;
  let statusBits = 0;
  let protoState: number | undefined;
  let timeout: number | undefined;
  let mark: number | undefined;
  let use: number | undefined;
  let id: number | undefined;
  let zone: number | undefined;
  let rare: Partial<Flow> | undefined;
  for (let off = start + 4; off + 4 <= end; ) {
    const len = attrLength(buf, off, end);
    const p = off + 4;
    const pend = off + len;
    const size = len - 4;
    switch (attrType(buf, off)) {
      case CTA.TUPLE_ORIG:
        readTuple(buf, o, p, pend);
        hasOrig = true;
        break;
      case CTA.TUPLE_REPLY:
        readTuple(buf, r, p, pend);
        hasReply = true;
        break;
      case CTA.STATUS:
        need(4, size, 'status', p);
        statusBits = u32be(buf, p);
        break;
      case CTA.PROTOINFO:
        protoState = decodeProtoinfoState(buf, p, pend);
        break;
      case CTA.TIMEOUT:
        need(4, size, 'timeout', p);
        timeout = u32be(buf, p);
        break;
      case CTA.MARK:
        need(4, size, 'mark', p);
        mark = u32be(buf, p);
        break;
      case CTA.USE:
        need(4, size, 'use count', p);
        use = u32be(buf, p);
        break;
      case CTA.ID:
        need(4, size, 'id', p);
        id = u32be(buf, p);
        break;
      case CTA.ZONE:
        need(2, size, 'zone', p);
        zone = u16be(buf, p);
        break;
      case CTA.COUNTERS_ORIG:
      case CTA.COUNTERS_REPLY:
      case CTA.TIMESTAMP:
      case CTA.HELP:
      case CTA.SECCTX:
      case CTA.LABELS:
        rare = decodeRare(buf, attrType(buf, off), p, pend, rare);
        break;
    }
    off += (len + 3) & ~3;
  }
  if (!hasOrig || !hasReply) throw new DecodeError('conntrack message without both tuples', start);
  const protoNum = o.protoNum;
  const proto = PROTO_NAMES[protoNum] ?? 'unknown';
  const status = statusNames(statusBits);
  let flow: Flow;
  if (timeout !== undefined && mark !== undefined && use !== undefined && id !== undefined && portShape(o) && portShape(r)) {
    // The shape of nearly every dumped TCP/UDP entry, flow and tuples built in one nested literal: V8
    // tracks nested literals by allocation site, so a table's worth of them can be allocated straight
    // into the old generation instead of being copied there by the scavenger.
    flow =
      protoState !== undefined
        ? {
            family,
            proto,
            protoNum,
            orig: { src: o.src, dst: o.dst, protoNum: o.protoNum, sport: o.sport, dport: o.dport },
            reply: { src: r.src, dst: r.dst, protoNum: r.protoNum, sport: r.sport, dport: r.dport },
            status,
            statusBits,
            state: stateName(protoNum, protoState),
            timeout,
            mark,
            use,
            id,
          }
        : {
            family,
            proto,
            protoNum,
            orig: { src: o.src, dst: o.dst, protoNum: o.protoNum, sport: o.sport, dport: o.dport },
            reply: { src: r.src, dst: r.dst, protoNum: r.protoNum, sport: r.sport, dport: r.dport },
            status,
            statusBits,
            timeout,
            mark,
            use,
            id,
          };
  } else if (timeout !== undefined && mark !== undefined && use !== undefined && id !== undefined) {
    const orig = tupleOf(o);
    const reply = tupleOf(r);
    flow =
      protoState !== undefined
        ? { family, proto, protoNum, orig, reply, status, statusBits, state: stateName(protoNum, protoState), timeout, mark, use, id }
        : { family, proto, protoNum, orig, reply, status, statusBits, timeout, mark, use, id };
  } else {
    flow = { family, proto, protoNum, orig: tupleOf(o), reply: tupleOf(r), status, statusBits };
    if (protoState !== undefined) flow.state = stateName(protoNum, protoState);
    if (timeout !== undefined) flow.timeout = timeout;
    if (mark !== undefined) flow.mark = mark;
    if (use !== undefined) flow.use = use;
    if (id !== undefined) flow.id = id;
  }
  if (zone !== undefined) flow.zone = zone;
  if (rare) Object.assign(flow, rare);
  const nat = deriveNat(flow.orig, flow.reply);
  if (nat) flow.nat = nat;
  return flow;
}
