import { parseAddress } from '../filter/address';
import type { Family, Flow, Tuple } from '../flow';
import { AF_INET, AF_INET6, CTA, CTA_IP, CTA_PROTO, CTA_TUPLE, NFGENMSG_LEN, NFNETLINK_V0, NLA_F_NESTED, NLMSG_HDRLEN, PROTO } from './constants';

/** Builds netlink attributes; payload integers are big-endian as ctnetlink expects. */
export class AttrWriter {
  private chunks: Buffer[] = [];

  private attr(type: number, payload: Buffer): this {
    const header = Buffer.alloc(4);
    header.writeUInt16LE(4 + payload.length, 0);
    header.writeUInt16LE(type, 2);
    const pad = (4 - (payload.length % 4)) % 4;
    this.chunks.push(header, payload, Buffer.alloc(pad));
    return this;
  }

  u8(type: number, value: number): this {
    return this.attr(type, Buffer.from([value & 0xff]));
  }

  u16(type: number, value: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(value, 0);
    return this.attr(type, b);
  }

  u32(type: number, value: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(value >>> 0, 0);
    return this.attr(type, b);
  }

  bytes(type: number, value: Buffer): this {
    return this.attr(type, value);
  }

  nested(type: number, build: (w: AttrWriter) => void): this {
    const inner = new AttrWriter();
    build(inner);
    return this.attr(type | NLA_F_NESTED, inner.toBuffer());
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

export function familyNumber(family: Family | undefined): number {
  return family === 'ipv4' ? AF_INET : family === 'ipv6' ? AF_INET6 : 0;
}

/** nlmsghdr + nfgenmsg + attributes. */
export function buildMessage(type: number, flags: number, seq: number, family: number, attrs: Buffer = Buffer.alloc(0)): Buffer {
  const msg = Buffer.alloc(NLMSG_HDRLEN + NFGENMSG_LEN + attrs.length);
  msg.writeUInt32LE(msg.length, 0);
  msg.writeUInt16LE(type, 4);
  msg.writeUInt16LE(flags, 6);
  msg.writeUInt32LE(seq >>> 0, 8);
  msg.writeUInt32LE(0, 12);
  msg.writeUInt8(family, 16);
  msg.writeUInt8(NFNETLINK_V0, 17);
  msg.writeUInt16BE(0, 18);
  attrs.copy(msg, NLMSG_HDRLEN + NFGENMSG_LEN);
  return msg;
}

function addressBytes(text: string, family: Family): Buffer {
  const parsed = parseAddress(text);
  if (!parsed || (parsed.family === 4) !== (family === 'ipv4')) throw new TypeError(`"${text}" is not an ${family} address`);
  const out = Buffer.alloc(parsed.words.length * 4);
  parsed.words.forEach((w, i) => out.writeUInt32BE(w >>> 0, i * 4));
  return out;
}

export function writeTuple(w: AttrWriter, type: number, tuple: Tuple, family: Family): void {
  w.nested(type, (t) => {
    t.nested(CTA_TUPLE.IP, (ip) => {
      ip.bytes(family === 'ipv4' ? CTA_IP.V4_SRC : CTA_IP.V6_SRC, addressBytes(tuple.src, family));
      ip.bytes(family === 'ipv4' ? CTA_IP.V4_DST : CTA_IP.V6_DST, addressBytes(tuple.dst, family));
    });
    t.nested(CTA_TUPLE.PROTO, (p) => {
      p.u8(CTA_PROTO.NUM, tuple.protoNum);
      if (tuple.protoNum === PROTO.ICMP || tuple.protoNum === PROTO.ICMPV6) {
        const v6 = tuple.protoNum === PROTO.ICMPV6;
        p.u16(v6 ? CTA_PROTO.ICMPV6_ID : CTA_PROTO.ICMP_ID, tuple.icmpId ?? 0);
        p.u8(v6 ? CTA_PROTO.ICMPV6_TYPE : CTA_PROTO.ICMP_TYPE, tuple.icmpType ?? 0);
        p.u8(v6 ? CTA_PROTO.ICMPV6_CODE : CTA_PROTO.ICMP_CODE, tuple.icmpCode ?? 0);
      } else if (tuple.sport !== undefined || tuple.dport !== undefined) {
        p.u16(CTA_PROTO.SRC_PORT, tuple.sport ?? 0);
        p.u16(CTA_PROTO.DST_PORT, tuple.dport ?? 0);
      }
    });
    if (tuple.zone !== undefined) t.u16(CTA_TUPLE.ZONE, tuple.zone);
  });
}

/** Attributes naming exactly one entry: its original tuple, zone and (when known) id. */
export function identityAttrs(flow: Pick<Flow, 'family' | 'orig' | 'id' | 'zone'>): Buffer {
  const w = new AttrWriter();
  writeTuple(w, CTA.TUPLE_ORIG, flow.orig, flow.family);
  if (flow.zone !== undefined) w.u16(CTA.ZONE, flow.zone);
  if (flow.id !== undefined) w.u32(CTA.ID, flow.id);
  return w.toBuffer();
}
