import { DCCP_STATE_NAMES, SCTP_STATE_NAMES, TCP_STATE_NAMES } from '@ctscope/conntrack/filter';

/**
 * Words of the query language for autocomplete. Protocols and status flags are the names parseQuery
 * accepts (the conntrack package keeps them in its Flow model, which its browser-safe entry does not export).
 */
export const PROTOCOLS = ['tcp', 'udp', 'icmp', 'icmpv6', 'sctp', 'dccp', 'udplite', 'gre'] as const;
export const STATUS_WORDS = ['assured', 'seen_reply', 'unreplied', 'confirmed', 'expected', 'src_nat', 'dst_nat', 'src_nat_done', 'dst_nat_done', 'seq_adjust', 'dying', 'fixed_timeout', 'template', 'untracked', 'helper', 'offload', 'hw_offload'] as const;
export const NAT_WORDS = ['snat', 'dnat', 'nat'] as const;
export const FAMILY_WORDS = ['ipv4', 'ipv6'] as const;
export const STATE_NAMES: readonly string[] = [...new Set([...TCP_STATE_NAMES, ...SCTP_STATE_NAMES, ...DCCP_STATE_NAMES])].map((s) => s.toLowerCase());

export interface KeyHelp {
  key: string;
  hint: string;
}

export const QUERY_KEYS: readonly KeyHelp[] = [
  { key: 'src:', hint: 'original source address or CIDR' },
  { key: 'dst:', hint: 'original destination address or CIDR' },
  { key: 'sport:', hint: 'original source port or range N-M' },
  { key: 'dport:', hint: 'original destination port or range N-M' },
  { key: 'state:', hint: 'TCP/SCTP/DCCP state, comma list' },
  { key: 'proto:', hint: 'protocol name or number' },
  { key: 'mark:', hint: 'connection mark, value[/mask]' },
  { key: 'zone:', hint: 'conntrack zone 0-65535' },
  { key: 'family:', hint: 'ipv4 or ipv6' },
  { key: 'reply-src:', hint: 'reply-direction source' },
  { key: 'reply-dst:', hint: 'reply-direction destination' },
  { key: 'reply-sport:', hint: 'reply-direction source port' },
  { key: 'reply-dport:', hint: 'reply-direction destination port' },
];

/** `conntrack -L` options for people who paste the CLI's arguments. */
export const CONNTRACK_OPTIONS: readonly KeyHelp[] = [
  { key: '-p', hint: 'protocol' },
  { key: '-s', hint: 'original source' },
  { key: '-d', hint: 'original destination' },
  { key: '--sport', hint: 'original source port' },
  { key: '--dport', hint: 'original destination port' },
  { key: '--state', hint: 'TCP state' },
  { key: '-u', hint: 'status flags (ASSURED, SEEN_REPLY, UNREPLIED…)' },
  { key: '-m', hint: 'mark[/mask]' },
  { key: '-w', hint: 'zone' },
  { key: '-f', hint: 'family ipv4/ipv6' },
  { key: '-r', hint: 'reply source' },
  { key: '-q', hint: 'reply destination' },
  { key: '-n', hint: 'source-NATed' },
  { key: '-g', hint: 'destination-NATed' },
  { key: '-j', hint: 'any NAT' },
];
