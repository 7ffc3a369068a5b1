import type { Nat, Tuple } from './flow';

/**
 * NAT as libnetfilter_conntrack derives it: the source was rewritten when the reply's destination is
 * not the original source (or its port differs), the destination when the reply's source is not the
 * original destination. Every source (netlink or CLI text) uses this one rule.
 */
export function deriveNat(orig: Tuple, reply: Tuple): Nat | undefined {
  let nat: Nat | undefined;
  if (reply.dst !== orig.src || reply.dport !== orig.sport) {
    const src: NonNullable<Nat['src']> = { from: orig.src, to: reply.dst };
    if (reply.dport !== orig.sport && orig.sport !== undefined && reply.dport !== undefined) {
      src.fromPort = orig.sport;
      src.toPort = reply.dport;
    }
    nat = { src };
  }
  if (reply.src !== orig.dst || reply.sport !== orig.dport) {
    const dst: NonNullable<Nat['dst']> = { from: orig.dst, to: reply.src };
    if (reply.sport !== orig.dport && orig.dport !== undefined && reply.sport !== undefined) {
      dst.fromPort = orig.dport;
      dst.toPort = reply.sport;
    }
    nat = { ...nat, dst };
  }
  return nat;
}
