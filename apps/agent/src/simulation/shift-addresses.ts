import type { Flow, Nat, Tuple } from '@ctscope/conntrack';

/** Simulated hosts are numbered 0..65535: two bytes of a private prefix tell them apart. */
export const MAX_SIMULATED_HOSTS = 65_536;

/**
 * Moves a recorded address into the simulated host's own private range, keeping what tells addresses apart
 * within one host (the last IPv4 byte, the last IPv6 group): 127.0.0.1 becomes 10.0.7.1 on host 7, ::1
 * becomes fd00:ct:7::1. Recordings are taken on a namespace's loopback, so nothing else differs anyway.
 */
export function shiftAddress(address: string, host: number): string {
  if (address.includes(':')) {
    const last = address.slice(address.lastIndexOf(':') + 1) || '0';
    return `fd00:c7:${host.toString(16)}::${last}`;
  }
  const lastByte = address.slice(address.lastIndexOf('.') + 1);
  return `10.${(host >> 8) & 0xff}.${host & 0xff}.${lastByte}`;
}

function shiftTuple(tuple: Tuple, host: number): Tuple {
  return { ...tuple, src: shiftAddress(tuple.src, host), dst: shiftAddress(tuple.dst, host) };
}

function shiftNat(nat: Nat, host: number): Nat {
  const out: Nat = {};
  if (nat.src) out.src = { ...nat.src, from: shiftAddress(nat.src.from, host), to: shiftAddress(nat.src.to, host) };
  if (nat.dst) out.dst = { ...nat.dst, from: shiftAddress(nat.dst.from, host), to: shiftAddress(nat.dst.to, host) };
  return out;
}

/** A copy of the flow as simulated host `host` sees it (the recording itself is shared and never changed). */
export function shiftFlow(flow: Flow, host: number): Flow {
  const shifted: Flow = { ...flow, orig: shiftTuple(flow.orig, host), reply: shiftTuple(flow.reply, host), status: [...flow.status] };
  if (flow.nat) shifted.nat = shiftNat(flow.nat, host);
  return shifted;
}
