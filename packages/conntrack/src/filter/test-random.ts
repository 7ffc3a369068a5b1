/** Seeded random filters for round-trip tests (unit and against the real CLI). */
import { STATUS_BITS, type StatusFlag } from '../flow';
import type { FlowFilter, PortRange } from './types';
import { DCCP_STATE_NAMES, SCTP_STATE_NAMES, TCP_STATE_NAMES, sortStates, sortStatus } from './vocab';

/** Small deterministic PRNG so failures reproduce. */
export function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

export function randomFilter(rand: () => number): FlowFilter {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const maybe = () => rand() < 0.35;
  const port = (): PortRange => {
    const min = Math.floor(rand() * 65536);
    return maybe() ? { min, max: Math.min(65535, min + Math.floor(rand() * 1000)) } : { min, max: min };
  };
  const f: FlowFilter = {};
  if (maybe()) f.family = pick(['ipv4', 'ipv6'] as const);
  const proto = maybe() ? pick([6, 17, 1, 58, 132, 33, 136, 47, 50]) : undefined;
  if (proto !== undefined) f.proto = proto;
  if (maybe()) f.src = pick(['10.0.0.0/8', '192.168.1.7', 'fd00::/64', '::1', '0.0.0.0/0']);
  if (maybe()) f.dst = pick(['10.1.0.0/16', '8.8.8.8', '2001:db8::1', '::/0']);
  if (maybe()) f.replySrc = pick(['127.0.0.1', '::ffff:10.1.2.3', '10.0.0.0/24']);
  if (maybe()) f.replyDst = pick(['127.0.0.3', 'fe80::1']);
  if (proto === undefined || [6, 17, 132, 33, 136].includes(proto)) {
    if (maybe()) f.sport = port();
    if (maybe()) f.dport = port();
    if (maybe()) f.replySport = port();
    if (maybe()) f.replyDport = port();
  }
  const stateNames = proto === 6 ? TCP_STATE_NAMES : proto === 132 ? SCTP_STATE_NAMES : proto === 33 ? DCCP_STATE_NAMES : proto === undefined ? TCP_STATE_NAMES : [];
  if (stateNames.length && maybe()) f.states = sortStates([pick(stateNames), ...(maybe() ? [pick(stateNames)] : [])]);
  const flags = [...STATUS_BITS];
  const required: StatusFlag[] = [];
  const forbidden: StatusFlag[] = [];
  for (const flag of flags) {
    const r = rand();
    if (r < 0.08) required.push(flag);
    else if (r < 0.14) forbidden.push(flag);
  }
  if (required.length) f.statusRequired = sortStatus(required);
  if (forbidden.length) f.statusForbidden = sortStatus(forbidden);
  if (maybe()) f.mark = { value: Math.floor(rand() * 0x100000000), mask: maybe() ? Math.floor(rand() * 0x100000000) : 0xffffffff };
  if (maybe()) f.zone = Math.floor(rand() * 65536);
  if (maybe()) f.nat = pick(['snat', 'dnat', 'both', 'any'] as const);
  if (maybe()) f.text = [pick(['web', 'tcp', 'a b', 'x:y', '!', 'say "hi"', '10.0', 'back\\slash'])];
  return f;
}

const CLI_STATUS: readonly StatusFlag[] = ['SEEN_REPLY', 'ASSURED', 'FIXED_TIMEOUT', 'EXPECTED', 'OFFLOAD', 'HW_OFFLOAD'];

/** Bends a random filter towards what conntrack can express, so most of them print. */
export function cliShaped(input: FlowFilter): FlowFilter {
  const f: FlowFilter = { ...input };
  delete f.text;
  delete f.family;
  delete f.replySrc;
  delete f.replyDst;
  if (f.dst !== undefined && f.src !== undefined && f.dst.includes(':') !== f.src.includes(':')) delete f.dst;
  for (const key of ['sport', 'dport', 'replySport', 'replyDport'] as const) {
    const range = f[key];
    if (range) f[key] = { min: range.min, max: range.min };
  }
  if (f.states) f.states = f.states.slice(0, 1);
  if (f.proto === undefined && (f.states || f.sport || f.dport || f.replySport || f.replyDport)) f.proto = 6;
  const required = (f.statusRequired ?? []).filter((s) => CLI_STATUS.includes(s));
  const forbidden = (f.statusForbidden ?? []).filter((s) => CLI_STATUS.includes(s));
  delete f.statusRequired;
  delete f.statusForbidden;
  if (required.length) f.statusRequired = required;
  else if (forbidden.length) f.statusForbidden = forbidden;
  return f;
}

