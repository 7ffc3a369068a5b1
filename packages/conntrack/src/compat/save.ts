/** `-o save`: an entry as the conntrack command line that recreates it (conntrack 1.4.7's ct_save_snprintf). */
import type { Flow } from '../flow';
import { PROTO_HANDLERS } from './options';

const SAVED_STATUS: ReadonlyArray<[number, string]> = [
  [0, 'EXPECTED'],
  [1, 'SEEN_REPLY'],
  [2, 'ASSURED'],
  [10, 'FIXED_TIMEOUT'],
];

/** `prefix` is `-A` for listings and `-D` for deletions, as conntrack writes them. */
export function formatSaveLine(flow: Flow, prefix: '-A' | '-D' | '-U'): string {
  const parts: string[] = [prefix];
  if (flow.timeout !== undefined) parts.push('-t', String(flow.timeout));
  const status = SAVED_STATUS.filter(([bit]) => flow.statusBits & (1 << bit)).map(([, name]) => name);
  parts.push('-u', status.length ? status.join(',') : 'UNSET');
  if (flow.zone !== undefined) parts.push('-w', String(flow.zone));
  if (flow.orig.zone !== undefined) parts.push('--orig-zone', String(flow.orig.zone));
  if (flow.reply.zone !== undefined) parts.push('--reply-zone', String(flow.reply.zone));
  const { orig, reply } = flow;
  parts.push('-s', orig.src, '-d', orig.dst);
  parts.push(orig.dst !== reply.src ? '-g' : '-r', reply.src);
  parts.push(orig.src !== reply.dst ? '-n' : '-q', reply.dst);
  const handler = PROTO_HANDLERS.find((h) => h.num === flow.protoNum);
  if (!handler) {
    parts.push('-p', String(flow.protoNum));
    return parts.join(' ');
  }
  parts.push('-p', handler.name);
  if (handler.name === 'icmp' || handler.name === 'icmpv6') {
    if (orig.icmpType !== undefined) parts.push('--icmp-type', String(orig.icmpType));
    if (orig.icmpCode !== undefined) parts.push('--icmp-code', String(orig.icmpCode));
    if (orig.icmpId !== undefined) parts.push('--icmp-id', String(orig.icmpId));
  } else if (handler.name !== 'gre') {
    if (orig.sport !== undefined) parts.push('--sport', String(orig.sport));
    if (orig.dport !== undefined) parts.push('--dport', String(orig.dport));
    if (reply.sport !== undefined) parts.push('--reply-port-src', String(reply.sport));
    if (reply.dport !== undefined) parts.push('--reply-port-dst', String(reply.dport));
    if (handler.states && flow.state !== undefined) parts.push('--state', flow.state);
  }
  return parts.join(' ');
}
