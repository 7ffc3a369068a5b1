import type { KnownParam, TimeoutTarget } from './types';

/**
 * Timeouts are stored in jiffies (proc_dointvec_jiffies): the kernel rejects values above
 * INT_MAX / HZ (8,589,934 s at HZ=250) and accepts 0 and negative numbers, which expire entries at
 * once. ctscope accepts 1 s up to INT_MAX / 1000 (valid for every HZ up to 1000).
 */
export const TIMEOUT_MIN = 1;
export const TIMEOUT_MAX = Math.floor((2 ** 31 - 1) / 1000);
const RANGE_NOTE = `1 s to ${TIMEOUT_MAX} s (24.8 days): the kernel also takes 0 and negative values (entries expire at once) and rejects values above INT_MAX / HZ.`;

interface TimeoutSpec {
  key: string;
  group: KnownParam['group'];
  default: number;
  description: string;
  target?: TimeoutTarget;
}

const tcp = (state: string, extra: readonly string[] = []): TimeoutTarget => ({ protos: ['tcp'], states: [state, ...extra] });
const sctp = (state: string): TimeoutTarget => ({ protos: ['sctp'], states: [state] });
const dccp = (state: string): TimeoutTarget => ({ protos: ['dccp'], states: [state] });
const RETRANS_CAP = 'it caps the state timeouts of entries with retransmissions or unacknowledged data; the table does not show which entries those are';

const SPECS: readonly TimeoutSpec[] = [
  { key: 'nf_conntrack_tcp_timeout_established', group: 'tcp-timeouts', default: 432000, target: tcp('ESTABLISHED'), description: 'How long an established TCP connection may stay idle before its entry is removed. The kernel default of 5 days keeps entries of connections that vanished without FIN or RST (crashed peers, NAT rebinding) for days.' },
  { key: 'nf_conntrack_tcp_timeout_syn_sent', group: 'tcp-timeouts', default: 120, target: tcp('SYN_SENT', ['SYN_SENT2']), description: 'Idle time allowed after a SYN was seen and before any answer (an outgoing connection attempt).' },
  { key: 'nf_conntrack_tcp_timeout_syn_recv', group: 'tcp-timeouts', default: 60, target: tcp('SYN_RECV'), description: 'Idle time allowed after the SYN-ACK, before the handshake completes.' },
  { key: 'nf_conntrack_tcp_timeout_fin_wait', group: 'tcp-timeouts', default: 120, target: tcp('FIN_WAIT'), description: 'Idle time allowed after one side sent FIN, waiting for the other side to close.' },
  { key: 'nf_conntrack_tcp_timeout_close_wait', group: 'tcp-timeouts', default: 60, target: tcp('CLOSE_WAIT'), description: 'Idle time allowed after the peer closed its side while the local side keeps sending. Long values keep half-closed connections in the table (kubernetes#97377: 1 hour filled tables).' },
  { key: 'nf_conntrack_tcp_timeout_last_ack', group: 'tcp-timeouts', default: 30, target: tcp('LAST_ACK'), description: 'Idle time allowed while waiting for the final ACK after both sides sent FIN.' },
  { key: 'nf_conntrack_tcp_timeout_time_wait', group: 'tcp-timeouts', default: 120, target: tcp('TIME_WAIT'), description: 'How long a cleanly closed TCP connection stays in the table (TIME_WAIT), so late packets still match it.' },
  { key: 'nf_conntrack_tcp_timeout_close', group: 'tcp-timeouts', default: 10, target: tcp('CLOSE'), description: 'How long a connection closed by RST stays in the table.' },
  { key: 'nf_conntrack_tcp_timeout_max_retrans', group: 'tcp-timeouts', default: 300, target: { protos: ['tcp'], notPreviewable: RETRANS_CAP }, description: 'Shorter timeout used once a packet was retransmitted nf_conntrack_tcp_max_retrans times without an acceptable ACK (a dead peer).' },
  { key: 'nf_conntrack_tcp_timeout_unacknowledged', group: 'tcp-timeouts', default: 300, target: { protos: ['tcp'], notPreviewable: RETRANS_CAP }, description: 'Shorter timeout used while data is outstanding without being acknowledged (a stalled peer).' },
  { key: 'nf_conntrack_udp_timeout', group: 'udp-timeouts', default: 30, target: { protos: ['udp', 'udplite'], assured: false }, description: 'How long a UDP flow stays after its last packet while it is not a stream yet (one-shot exchanges such as DNS queries). Each DNS query occupies an entry this long.' },
  { key: 'nf_conntrack_udp_timeout_stream', group: 'udp-timeouts', default: 120, target: { protos: ['udp', 'udplite'], assured: true }, description: 'Longer timeout for UDP flows that kept exchanging packets both ways for more than a couple of seconds (ASSURED streams: VPN, VoIP, QUIC).' },
  { key: 'nf_conntrack_icmp_timeout', group: 'other-timeouts', default: 30, target: { protos: ['icmp'] }, description: 'How long an ICMP (IPv4) exchange such as a ping stays after its last packet.' },
  { key: 'nf_conntrack_icmpv6_timeout', group: 'other-timeouts', default: 30, target: { protos: ['icmpv6'] }, description: 'How long an ICMPv6 exchange stays after its last packet.' },
  { key: 'nf_conntrack_generic_timeout', group: 'other-timeouts', default: 600, target: { protos: ['unknown'] }, description: 'Timeout for layer-4 protocols conntrack has no specific tracker for.' },
  { key: 'nf_conntrack_gre_timeout', group: 'other-timeouts', default: 30, target: { protos: ['gre'], assured: false }, description: 'Timeout of a GRE flow (PPTP tunnels) seen in one direction only.' },
  { key: 'nf_conntrack_gre_timeout_stream', group: 'other-timeouts', default: 180, target: { protos: ['gre'], assured: true }, description: 'Timeout of a GRE flow that has seen traffic both ways.' },
  { key: 'nf_conntrack_sctp_timeout_closed', group: 'other-timeouts', default: 10, target: sctp('CLOSED'), description: 'SCTP: how long a closed association stays.' },
  { key: 'nf_conntrack_sctp_timeout_cookie_wait', group: 'other-timeouts', default: 3, target: sctp('COOKIE_WAIT'), description: 'SCTP: idle time allowed after INIT, waiting for INIT-ACK.' },
  { key: 'nf_conntrack_sctp_timeout_cookie_echoed', group: 'other-timeouts', default: 3, target: sctp('COOKIE_ECHOED'), description: 'SCTP: idle time allowed after COOKIE-ECHO, waiting for COOKIE-ACK.' },
  { key: 'nf_conntrack_sctp_timeout_established', group: 'other-timeouts', default: 210, target: sctp('ESTABLISHED'), description: 'SCTP: idle time allowed for an established association (5 days before kernel 6.3; heartbeats keep live associations refreshed).' },
  { key: 'nf_conntrack_sctp_timeout_shutdown_sent', group: 'other-timeouts', default: 3, target: sctp('SHUTDOWN_SENT'), description: 'SCTP: idle time allowed after SHUTDOWN was sent.' },
  { key: 'nf_conntrack_sctp_timeout_shutdown_recd', group: 'other-timeouts', default: 3, target: sctp('SHUTDOWN_RECD'), description: 'SCTP: idle time allowed after SHUTDOWN was received.' },
  { key: 'nf_conntrack_sctp_timeout_shutdown_ack_sent', group: 'other-timeouts', default: 3, target: sctp('SHUTDOWN_ACK_SENT'), description: 'SCTP: idle time allowed after SHUTDOWN-ACK was sent.' },
  { key: 'nf_conntrack_sctp_timeout_heartbeat_sent', group: 'other-timeouts', default: 30, target: sctp('HEARTBEAT_SENT'), description: 'SCTP: timeout for an entry on a secondary path after a HEARTBEAT (about the heartbeat interval).' },
  { key: 'nf_conntrack_sctp_timeout_heartbeat_acked', group: 'other-timeouts', default: 210, target: sctp('HEARTBEAT_ACKED'), description: 'SCTP (older kernels): timeout for a secondary path whose heartbeat was answered.' },
  { key: 'nf_conntrack_dccp_timeout_request', group: 'other-timeouts', default: 240, target: dccp('REQUEST'), description: 'DCCP (older kernels): idle time allowed after a REQUEST.' },
  { key: 'nf_conntrack_dccp_timeout_respond', group: 'other-timeouts', default: 240, target: dccp('RESPOND'), description: 'DCCP (older kernels): idle time allowed after a RESPONSE.' },
  { key: 'nf_conntrack_dccp_timeout_partopen', group: 'other-timeouts', default: 480, target: dccp('PARTOPEN'), description: 'DCCP (older kernels): idle time allowed in PARTOPEN.' },
  { key: 'nf_conntrack_dccp_timeout_open', group: 'other-timeouts', default: 43200, target: dccp('OPEN'), description: 'DCCP (older kernels): idle time allowed for an open connection.' },
  { key: 'nf_conntrack_dccp_timeout_closereq', group: 'other-timeouts', default: 64, target: dccp('CLOSEREQ'), description: 'DCCP (older kernels): idle time allowed after CLOSEREQ.' },
  { key: 'nf_conntrack_dccp_timeout_closing', group: 'other-timeouts', default: 64, target: dccp('CLOSING'), description: 'DCCP (older kernels): idle time allowed while closing.' },
  { key: 'nf_conntrack_dccp_timeout_timewait', group: 'other-timeouts', default: 240, target: dccp('TIMEWAIT'), description: 'DCCP (older kernels): how long a closed connection stays.' },
  { key: 'nf_conntrack_frag6_timeout', group: 'ipv6-fragments', default: 60, description: 'How long fragments of an IPv6 packet are kept while waiting for the rest.' },
];

export const TIMEOUT_PARAMS: readonly KnownParam[] = SPECS.map((s) => ({
  key: s.key,
  group: s.group,
  type: 'integer',
  unit: 'seconds',
  description: s.description,
  default: s.default,
  min: TIMEOUT_MIN,
  max: TIMEOUT_MAX,
  rangeNote: RANGE_NOTE,
  scope: 'netns',
  ...(s.target ? { timeoutOf: s.target } : {}),
}));
