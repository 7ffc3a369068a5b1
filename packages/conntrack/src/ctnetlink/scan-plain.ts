import { u16be, u16le, u32be } from './bytes';
import { AF_INET, CTA, CTA_IP, CTA_PROTO, CTA_TUPLE, NLA_TYPE_MASK } from './constants';
import { decodeProtoinfoState, stateName } from './decode-flow';

/**
 * The numbers of a dumped entry of the common shape (IPv4, both tuples with addresses and ports, no
 * tuple zone; timeout, mark, use and id present; no counters, timestamps, helper, security context or
 * labels): what decodeFlow would return, without building objects or address strings. A consumer
 * that stores entries in columns (the agent's mirror) reads it instead of a Flow.
 */
export interface PlainFlow {
  protoNum: number;
  statusBits: number;
  /** The protocol state's name as decodeFlow gives it, or undefined. */
  state: string | undefined;
  timeout: number;
  mark: number;
  use: number;
  id: number;
  /** CTA_ZONE, or -1 when absent. */
  zone: number;
  /** Addresses as 32-bit numbers, first octet highest (see ipv4Text). */
  origSrc: number;
  origDst: number;
  origSport: number;
  origDport: number;
  replySrc: number;
  replyDst: number;
  replySport: number;
  replyDport: number;
}

export const newPlainFlow = (): PlainFlow => ({
  protoNum: 0,
  statusBits: 0,
  state: undefined,
  timeout: 0,
  mark: 0,
  use: 0,
  id: 0,
  zone: -1,
  origSrc: 0,
  origDst: 0,
  origSport: 0,
  origDport: 0,
  replySrc: 0,
  replyDst: 0,
  replySport: 0,
  replyDport: 0,
});

// What a tuple held, as bits; a plain tuple has exactly these.
const SRC = 1;
const DST = 2;
const NUM = 4;
const SPORT = 8;
const DPORT = 16;
const PLAIN_TUPLE = SRC | DST | NUM | SPORT | DPORT;
/** A tuple attribute the plain shape does not take (IPv6, ICMP, tuple zone, unknown): fall back. */
const OTHER = 32;

// Tuple fields land here (scanTuple returns the presence bits); a repeated tuple replaces the earlier one.
let tSrc = 0;
let tDst = 0;
let tNum = 0;
let tSport = 0;
let tDport = 0;

/** Total length of the attribute at `off`, or -1 when it does not fit in `end` (malformed). */
function attrLen(buf: Uint8Array, off: number, end: number): number {
  const len = u16le(buf, off);
  return len < 4 || off + len > end ? -1 : len;
}

function scanTuple(buf: Uint8Array, start: number, end: number): number {
  let seen = 0;
  for (let off = start; off + 4 <= end; ) {
    const len = attrLen(buf, off, end);
    if (len < 0) return OTHER;
    const type = u16le(buf, off + 2) & NLA_TYPE_MASK;
    if (type === CTA_TUPLE.IP) {
      for (let a = off + 4; a + 4 <= off + len; ) {
        const alen = attrLen(buf, a, off + len);
        if (alen < 0) return OTHER;
        const atype = u16le(buf, a + 2) & NLA_TYPE_MASK;
        if (atype === CTA_IP.V4_SRC && alen >= 8) {
          tSrc = u32be(buf, a + 4);
          seen |= SRC;
        } else if (atype === CTA_IP.V4_DST && alen >= 8) {
          tDst = u32be(buf, a + 4);
          seen |= DST;
        } else return OTHER;
        a += (alen + 3) & ~3;
      }
    } else if (type === CTA_TUPLE.PROTO) {
      for (let a = off + 4; a + 4 <= off + len; ) {
        const alen = attrLen(buf, a, off + len);
        if (alen < 0) return OTHER;
        const atype = u16le(buf, a + 2) & NLA_TYPE_MASK;
        if (atype === CTA_PROTO.NUM && alen >= 5) {
          tNum = buf[a + 4] as number;
          seen |= NUM;
        } else if (atype === CTA_PROTO.SRC_PORT && alen >= 6) {
          tSport = u16be(buf, a + 4);
          seen |= SPORT;
        } else if (atype === CTA_PROTO.DST_PORT && alen >= 6) {
          tDport = u16be(buf, a + 4);
          seen |= DPORT;
        } else return OTHER;
        a += (alen + 3) & ~3;
      }
    } else return OTHER;
    off += (len + 3) & ~3;
  }
  return seen;
}

const TIMEOUT = 1;
const MARK = 2;
const USE = 4;
const ID = 8;
const ORIG = 16;
const REPLY = 32;
const COMPLETE = TIMEOUT | MARK | USE | ID | ORIG | REPLY;

/**
 * Reads a conntrack message body ([start, end) after nlmsghdr) into `out` when the entry has the plain
 * shape; returns false for anything else (another shape, or malformed: decodeFlow then decodes or
 * rejects it), leaving `out` partly written.
 */
export function scanPlainFlow(buf: Uint8Array, start: number, end: number, out: PlainFlow): boolean {
  if (end - start < 4 || buf[start] !== AF_INET) return false;
  let seen = 0;
  let protoState: number | undefined;
  out.zone = -1;
  out.statusBits = 0;
  for (let off = start + 4; off + 4 <= end; ) {
    const len = attrLen(buf, off, end);
    if (len < 0) return false;
    const p = off + 4;
    const size = len - 4;
    switch (u16le(buf, off + 2) & NLA_TYPE_MASK) {
      case CTA.TUPLE_ORIG:
        if (scanTuple(buf, p, off + len) !== PLAIN_TUPLE) return false;
        out.origSrc = tSrc;
        out.origDst = tDst;
        out.protoNum = tNum;
        out.origSport = tSport;
        out.origDport = tDport;
        seen |= ORIG;
        break;
      case CTA.TUPLE_REPLY:
        if (scanTuple(buf, p, off + len) !== PLAIN_TUPLE) return false;
        out.replySrc = tSrc;
        out.replyDst = tDst;
        out.replySport = tSport;
        out.replyDport = tDport;
        seen |= REPLY;
        break;
      case CTA.STATUS:
        if (size < 4) return false;
        out.statusBits = u32be(buf, p);
        break;
      case CTA.PROTOINFO:
        try {
          protoState = decodeProtoinfoState(buf, p, off + len);
        } catch {
          return false;
        }
        break;
      case CTA.TIMEOUT:
        if (size < 4) return false;
        out.timeout = u32be(buf, p);
        seen |= TIMEOUT;
        break;
      case CTA.MARK:
        if (size < 4) return false;
        out.mark = u32be(buf, p);
        seen |= MARK;
        break;
      case CTA.USE:
        if (size < 4) return false;
        out.use = u32be(buf, p);
        seen |= USE;
        break;
      case CTA.ID:
        if (size < 4) return false;
        out.id = u32be(buf, p);
        seen |= ID;
        break;
      case CTA.ZONE:
        if (size < 2) return false;
        out.zone = u16be(buf, p);
        break;
      case CTA.COUNTERS_ORIG:
      case CTA.COUNTERS_REPLY:
      case CTA.TIMESTAMP:
      case CTA.HELP:
      case CTA.SECCTX:
      case CTA.LABELS:
        return false;
    }
    off += (len + 3) & ~3;
  }
  if (seen !== COMPLETE) return false;
  out.state = protoState === undefined ? undefined : stateName(out.protoNum, protoState);
  return true;
}
