/** The one model of a conntrack entry, whatever source it was read from (netlink or CLI). */

export type Family = 'ipv4' | 'ipv6';

/** L4 protocol names as `conntrack` prints them; unknown numbers keep their number. */
export type L4ProtoName = 'tcp' | 'udp' | 'udplite' | 'icmp' | 'icmpv6' | 'sctp' | 'dccp' | 'gre' | 'unknown';

export interface Tuple {
  src: string;
  dst: string;
  /** IANA protocol number (6 tcp, 17 udp, 1 icmp, 58 icmpv6, 132 sctp, 33 dccp, 136 udplite, 47 gre). */
  protoNum: number;
  sport?: number;
  dport?: number;
  icmpType?: number;
  icmpCode?: number;
  icmpId?: number;
  /** Tuple zone (CTA_TUPLE_ZONE), when the kernel sent one. */
  zone?: number;
}

/** IPS_* status bits by their `conntrack` names. */
export const STATUS_BITS = [
  'EXPECTED', // 0
  'SEEN_REPLY', // 1
  'ASSURED', // 2
  'CONFIRMED', // 3
  'SRC_NAT', // 4
  'DST_NAT', // 5
  'SEQ_ADJUST', // 6
  'SRC_NAT_DONE', // 7
  'DST_NAT_DONE', // 8
  'DYING', // 9
  'FIXED_TIMEOUT', // 10
  'TEMPLATE', // 11
  'UNTRACKED', // 12
  'HELPER', // 13
  'OFFLOAD', // 14
  'HW_OFFLOAD', // 15
] as const;
export type StatusFlag = (typeof STATUS_BITS)[number];

export const TCP_STATES = [
  'NONE',
  'SYN_SENT',
  'SYN_RECV',
  'ESTABLISHED',
  'FIN_WAIT',
  'CLOSE_WAIT',
  'LAST_ACK',
  'TIME_WAIT',
  'CLOSE',
  'SYN_SENT2', // conntrack 1.4.7 prints state 9 as SYN_SENT2
] as const;
export type TcpState = (typeof TCP_STATES)[number];

export interface Counters {
  packets: bigint;
  bytes: bigint;
}

export interface Nat {
  /** Source NAT: the original source was rewritten to `to` (reply dst). */
  src?: { from: string; to: string; fromPort?: number; toPort?: number };
  /** Destination NAT: the original destination was rewritten to `to` (reply src). */
  dst?: { from: string; to: string; fromPort?: number; toPort?: number };
}

export interface Flow {
  family: Family;
  proto: L4ProtoName;
  protoNum: number;
  orig: Tuple;
  reply: Tuple;
  /** Status bits by name, in bit order. */
  status: StatusFlag[];
  /** Raw CTA_STATUS value. */
  statusBits: number;
  /** TCP / SCTP / DCCP state name as `conntrack` prints it, when the protocol has one. */
  state?: string;
  /** Seconds until expiry. */
  timeout?: number;
  mark?: number;
  use?: number;
  id?: number;
  zone?: number;
  secctx?: string;
  helper?: string;
  /** Label bit numbers that are set. */
  labels?: number[];
  countersOrig?: Counters;
  countersReply?: Counters;
  /** Nanoseconds since the epoch, when nf_conntrack_timestamp=1. */
  timestampStart?: bigint;
  timestampStop?: bigint;
  nat?: Nat;
}

export type EventType = 'NEW' | 'UPDATE' | 'DESTROY';

export interface FlowEvent {
  type: EventType;
  flow: Flow;
}

/** One CPU's line of `conntrack -S` (only the counters the kernel sent). */
export interface CpuStats {
  cpu: number;
  found?: number;
  invalid?: number;
  insert?: number;
  insert_failed?: number;
  drop?: number;
  early_drop?: number;
  error?: number;
  search_restart?: number;
  clash_resolve?: number;
  chaintoolong?: number;
}

export const CPU_STAT_KEYS = [
  'found',
  'invalid',
  'insert',
  'insert_failed',
  'drop',
  'early_drop',
  'error',
  'search_restart',
  'clash_resolve',
  'chaintoolong',
] as const;
export type CpuStatKey = (typeof CPU_STAT_KEYS)[number];

export const PROTO_NUMBERS: Readonly<Record<string, number>> = {
  icmp: 1,
  tcp: 6,
  udp: 17,
  gre: 47,
  dccp: 33,
  icmpv6: 58,
  sctp: 132,
  udplite: 136,
};

const PROTO_NAME_BY_NUMBER = new Map<number, L4ProtoName>(Object.entries(PROTO_NUMBERS).map(([name, num]) => [num, name as L4ProtoName]));

export function protoName(num: number): L4ProtoName {
  return PROTO_NAME_BY_NUMBER.get(num) ?? 'unknown';
}
