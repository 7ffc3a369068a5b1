import type { KnownParam } from './types';

const OFF_ON = [
  { value: 0, label: 'off' },
  { value: 1, label: 'on' },
] as const;

function flag(key: string, defaultValue: 0 | 1, description: string): KnownParam {
  return { key, group: 'behaviour', type: 'boolean', unit: 'bool', description, default: defaultValue, min: 0, max: 1, choices: OFF_ON, scope: 'netns' };
}

/** Protocol numbers nf_conntrack_log_invalid understands (255 = every protocol). */
const LOG_INVALID_CHOICES = [
  { value: 0, label: 'off' },
  { value: 1, label: 'ICMP' },
  { value: 6, label: 'TCP' },
  { value: 17, label: 'UDP' },
  { value: 33, label: 'DCCP' },
  { value: 47, label: 'GRE' },
  { value: 58, label: 'ICMPv6' },
  { value: 132, label: 'SCTP' },
  { value: 136, label: 'UDP-Lite' },
  { value: 255, label: 'all protocols' },
] as const;

const THRESH_MAX = 2 ** 31 - 1;

export const BEHAVIOUR_PARAMS: readonly KnownParam[] = [
  flag('nf_conntrack_acct', 0, 'Keeps per-entry packet and byte counters for both directions. Costs 32 bytes per entry and a counter update on every packet; needed for traffic volumes per connection.'),
  flag('nf_conntrack_timestamp', 0, 'Records when each entry started (and stopped, in destroy events). Costs 16 bytes per entry and a clock read per new entry; needed for connection ages.'),
  flag('nf_conntrack_checksum', 1, 'Verifies checksums of incoming packets; packets with a bad checksum are INVALID and not tracked. Turning it off saves CPU where the NIC already verified them.'),
  flag('nf_conntrack_tcp_loose', 1, 'Picks up TCP connections already in progress (first packet seen is not a SYN), for example after a reboot, a flush or a failover. Off is stricter: such packets are INVALID and existing connections break.'),
  flag('nf_conntrack_tcp_be_liberal', 0, 'Only out-of-window RST packets are marked INVALID; other out-of-window packets are accepted. Fixes spurious drops behind middleboxes that rewrite sequence numbers or windows, at the cost of weaker TCP window checking.'),
  flag('nf_conntrack_tcp_ignore_invalid_rst', 0, 'Does not mark out-of-window RST packets INVALID (they pass to the rules instead of being dropped as invalid).'),
  flag('nf_conntrack_helper', 0, 'Older kernels: assign protocol helpers (FTP, SIP...) automatically by port. Insecure; replaced by explicit CT helper rules.'),
  flag('nf_conntrack_dccp_loose', 1, 'Older kernels: pick up DCCP connections already in progress.'),
  {
    key: 'nf_conntrack_events',
    group: 'behaviour',
    type: 'enum',
    unit: 'mode',
    description: 'Whether the kernel sends connection events (new, update, destroy) over ctnetlink. Auto allocates the event space only while someone listens, which is what live event views need.',
    default: 2,
    min: 0,
    max: 2,
    choices: [
      { value: 0, label: 'off' },
      { value: 1, label: 'on' },
      { value: 2, label: 'auto' },
    ],
    scope: 'netns',
  },
  {
    key: 'nf_conntrack_log_invalid',
    group: 'behaviour',
    type: 'enum',
    unit: 'protocol',
    description: 'Logs packets conntrack found INVALID for one protocol number (255: all), to the kernel log. Useful while chasing drops; noisy under load.',
    default: 0,
    min: 0,
    max: 255,
    choices: LOG_INVALID_CHOICES,
    scope: 'netns',
  },
  {
    key: 'nf_conntrack_tcp_max_retrans',
    group: 'behaviour',
    type: 'integer',
    unit: 'count',
    description: 'Retransmissions without an acceptable ACK after which the shorter nf_conntrack_tcp_timeout_max_retrans applies.',
    default: 3,
    min: 0,
    max: 255,
    scope: 'netns',
  },
  {
    key: 'nf_conntrack_frag6_high_thresh',
    group: 'ipv6-fragments',
    type: 'integer',
    unit: 'bytes',
    description: 'Memory for reassembling IPv6 fragments; above it, fragments are dropped until usage falls to nf_conntrack_frag6_low_thresh. Must stay at or above the low threshold.',
    default: 4194304,
    min: 0,
    max: THRESH_MAX,
    scope: 'netns',
  },
  {
    key: 'nf_conntrack_frag6_low_thresh',
    group: 'ipv6-fragments',
    type: 'integer',
    unit: 'bytes',
    description: 'Memory usage IPv6 fragment reassembly falls back to after hitting the high threshold. Must stay at or below the high threshold.',
    default: 3145728,
    min: 0,
    max: THRESH_MAX,
    scope: 'netns',
  },
];
