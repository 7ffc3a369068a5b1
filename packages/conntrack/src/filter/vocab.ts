/** Names shared by both filter syntaxes: protocols, states, status flags, numbers. */
import { PROTO_NUMBERS, STATUS_BITS, type StatusFlag } from '../flow';
import { formatCidr, parseCidr } from './address';
import type { PortRange } from './types';

export const TCP_STATE_NAMES = ['NONE', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'TIME_WAIT', 'CLOSE', 'SYN_SENT2'] as const;
export const SCTP_STATE_NAMES = ['NONE', 'CLOSED', 'COOKIE_WAIT', 'COOKIE_ECHOED', 'ESTABLISHED', 'SHUTDOWN_SENT', 'SHUTDOWN_RECD', 'SHUTDOWN_ACK_SENT', 'HEARTBEAT_SENT', 'HEARTBEAT_ACKED'] as const;
export const DCCP_STATE_NAMES = ['NONE', 'REQUEST', 'RESPOND', 'PARTOPEN', 'OPEN', 'CLOSEREQ', 'CLOSING', 'TIMEWAIT', 'IGNORE', 'INVALID'] as const;

const STATES_BY_PROTO: Readonly<Record<number, readonly string[]>> = {
  6: TCP_STATE_NAMES,
  132: SCTP_STATE_NAMES,
  33: DCCP_STATE_NAMES,
};

/** Protocols whose tuples carry ports (tcp, udp, udplite, sctp, dccp). */
export const PORT_PROTOS: ReadonlySet<number> = new Set([6, 17, 136, 132, 33]);

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };
const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(message: string): Parsed<T> => ({ ok: false, message });

export function protoNumberToName(num: number): string {
  for (const [name, n] of Object.entries(PROTO_NUMBERS)) if (n === num) return name;
  return String(num);
}

export function parseProto(text: string): Parsed<number> {
  const lower = text.toLowerCase();
  const known = PROTO_NUMBERS[lower === 'ipv6-icmp' ? 'icmpv6' : lower];
  if (known !== undefined) return ok(known);
  if (/^\d{1,3}$/.test(text) && Number(text) <= 255) return ok(Number(text));
  return fail(`expected a protocol (${Object.keys(PROTO_NUMBERS).join(', ')}) or a number 0-255`);
}

export function parsePort(text: string): Parsed<number> {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) return fail('port must be 0-65535');
  return ok(Number(text));
}

/** `N` or `N-M` (inclusive). */
export function parsePortRange(text: string): Parsed<PortRange> {
  const dash = text.indexOf('-');
  if (dash < 0) {
    const port = parsePort(text);
    return port.ok ? ok({ min: port.value, max: port.value }) : port;
  }
  const min = parsePort(text.slice(0, dash));
  const max = parsePort(text.slice(dash + 1));
  if (!min.ok) return min;
  if (!max.ok) return max;
  if (min.value > max.value) return fail('port range must go from low to high');
  return ok({ min: min.value, max: max.value });
}

export function formatPortRange(range: PortRange): string {
  return range.min === range.max ? String(range.min) : `${range.min}-${range.max}`;
}

/** The canonical address/CIDR text, or an error. */
export function parseAddressFilter(text: string): Parsed<string> {
  const result = parseCidr(text);
  return result.ok ? ok(formatCidr(result.cidr)) : fail(result.message);
}

export function allStateNames(proto: number | undefined): readonly string[] {
  if (proto !== undefined) return STATES_BY_PROTO[proto] ?? [];
  return [...new Set([...TCP_STATE_NAMES, ...SCTP_STATE_NAMES, ...DCCP_STATE_NAMES])];
}

/** One state name, upper-cased; LISTEN (conntrack's man page name) is the kernel's SYN_SENT2, which is what it prints. */
export function parseState(text: string, proto: number | undefined, caseSensitive = false): Parsed<string> {
  const name = caseSensitive ? text : text.toUpperCase();
  const canonical = name === 'LISTEN' ? 'SYN_SENT2' : name;
  const names = allStateNames(proto);
  if (names.length === 0) return fail(`protocol ${protoNumberToName(proto ?? 0)} has no states`);
  if (!names.includes(canonical)) return fail(`expected a state: ${names.join(', ')}`);
  return ok(canonical);
}

/** State names sorted by protocol table order (TCP first), without duplicates. */
export function sortStates(states: readonly string[]): string[] {
  const order = allStateNames(undefined);
  return [...new Set(states)].sort((a, b) => order.indexOf(a) - order.indexOf(b));
}

export function isStatusFlag(text: string): text is StatusFlag {
  return (STATUS_BITS as readonly string[]).includes(text);
}

export function sortStatus(flags: readonly StatusFlag[]): StatusFlag[] {
  return [...new Set(flags)].sort((a, b) => STATUS_BITS.indexOf(a) - STATUS_BITS.indexOf(b));
}

export function statusMask(flags: readonly StatusFlag[] | undefined): number {
  let mask = 0;
  for (const flag of flags ?? []) mask |= 1 << STATUS_BITS.indexOf(flag);
  return mask >>> 0;
}

/** An unsigned 32-bit number in decimal, hex (0x) or octal (leading 0), as strtoul(…, 0) reads it. */
export function parseU32(text: string): Parsed<number> {
  let value: number;
  if (/^0[xX][0-9a-fA-F]{1,8}$/.test(text)) value = parseInt(text.slice(2), 16);
  else if (/^0[0-7]+$/.test(text)) value = parseInt(text.slice(1), 8);
  else if (/^\d{1,10}$/.test(text)) value = Number(text);
  else return fail('expected a number (decimal, or hex with 0x)');
  if (value > 0xffffffff) return fail('number must fit in 32 bits');
  return ok(value);
}

export function parseU16(text: string): Parsed<number> {
  const n = parseU32(text);
  if (n.ok && n.value > 0xffff) return fail('zone must be 0-65535');
  return n;
}
