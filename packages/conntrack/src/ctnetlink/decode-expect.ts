import { EXPECT_FLAG_BITS, type ExpectFlag, type Expectation } from '../expectation';
import type { Tuple } from '../flow';
import { cString, u16be, u16le, u32be } from './bytes';
import { AF_INET, AF_INET6, CTA_EXPECT, CTA_EXPECT_NAT, NLA_TYPE_MASK } from './constants';
import { decodeTuple, need, PROTO_NAMES } from './decode-flow';
import { DecodeError } from './errors';

function u32Attr(buf: Uint8Array, p: number, size: number, what: string): number {
  need(4, size, what, p);
  return u32be(buf, p);
}

export function expectFlagNames(bits: number): ExpectFlag[] {
  return EXPECT_FLAG_BITS.filter((_, i) => (bits & (1 << i)) !== 0);
}

function decodeNat(buf: Uint8Array, start: number, end: number): Expectation['nat'] {
  let dir: number | undefined;
  let tuple: Tuple | undefined;
  for (let off = start; off + 4 <= end; ) {
    const len = u16le(buf, off);
    if (len < 4 || off + len > end) throw new DecodeError(`attribute length ${len} overruns its container`, off);
    const type = u16le(buf, off + 2) & NLA_TYPE_MASK;
    if (type === CTA_EXPECT_NAT.DIR) {
      dir = u32Attr(buf, off + 4, len - 4, 'NAT direction');
    } else if (type === CTA_EXPECT_NAT.TUPLE) tuple = decodeTuple(buf, off + 4, off + len);
    off += (len + 3) & ~3;
  }
  if (tuple === undefined) return undefined;
  return { dir: dir === 1 ? 'reply' : 'original', tuple };
}

/**
 * Decodes one expectation message body (after nlmsghdr): the nfgenmsg at `start`, then CTA_EXPECT_*
 * attributes up to `end`. Throws DecodeError on malformed input.
 */
export function decodeExpectation(buf: Uint8Array, start: number, end: number): Expectation {
  if (end - start < 4) throw new DecodeError('expectation message shorter than its nfgenmsg header', start);
  const af = buf[start] as number;
  if (af !== AF_INET && af !== AF_INET6) throw new DecodeError(`unknown address family ${af}`, start);
  let master: Tuple | undefined;
  let tuple: Tuple | undefined;
  let mask: Tuple | undefined;
  let timeout: number | undefined;
  let flagBits = 0;
  const rest: Partial<Expectation> = {};
  for (let off = start + 4; off + 4 <= end; ) {
    const len = u16le(buf, off);
    if (len < 4 || off + len > end) throw new DecodeError(`attribute length ${len} overruns its container`, off);
    const p = off + 4;
    const pend = off + len;
    const size = len - 4;
    switch (u16le(buf, off + 2) & NLA_TYPE_MASK) {
      case CTA_EXPECT.MASTER:
        master = decodeTuple(buf, p, pend);
        break;
      case CTA_EXPECT.TUPLE:
        tuple = decodeTuple(buf, p, pend);
        break;
      case CTA_EXPECT.MASK:
        mask = decodeTuple(buf, p, pend);
        break;
      case CTA_EXPECT.TIMEOUT:
        timeout = u32Attr(buf, p, size, 'timeout');
        break;
      case CTA_EXPECT.ID:
        rest.id = u32Attr(buf, p, size, 'id');
        break;
      case CTA_EXPECT.HELP_NAME:
        rest.helper = cString(buf, p, pend);
        break;
      case CTA_EXPECT.ZONE:
        need(2, size, 'zone', p);
        rest.zone = u16be(buf, p);
        break;
      case CTA_EXPECT.FLAGS:
        flagBits = u32Attr(buf, p, size, 'flags');
        break;
      case CTA_EXPECT.CLASS:
        rest.class = u32Attr(buf, p, size, 'class');
        break;
      case CTA_EXPECT.NAT: {
        const nat = decodeNat(buf, p, pend);
        if (nat) rest.nat = nat;
        break;
      }
      case CTA_EXPECT.FN:
        rest.fn = cString(buf, p, pend);
        break;
    }
    off += (len + 3) & ~3;
  }
  if (!master || !tuple || !mask) throw new DecodeError('expectation without its master, tuple and mask', start);
  if (timeout === undefined) throw new DecodeError('expectation without a timeout', start);
  const protoNum = tuple.protoNum;
  return {
    family: af === AF_INET ? 'ipv4' : 'ipv6',
    proto: PROTO_NAMES[protoNum] ?? 'unknown',
    protoNum,
    tuple,
    mask,
    master,
    timeout,
    flagBits,
    flags: expectFlagNames(flagBits),
    ...rest,
  };
}
