import { z } from 'zod';
import { parseCidr, type Cidr } from './address';

/**
 * Field-level schemas. Every string is checked against an ASCII allow-list *before* anything else
 * looks at it, so shell metacharacters, newlines, quotes and Unicode look-alikes (fullwidth digits,
 * Cyrillic letters) are rejected instead of being normalised into something that parses.
 */

export const FAMILIES = ['ipv4', 'ipv6', 'both'] as const;
export type FamilyChoice = (typeof FAMILIES)[number];

/** Protocols with ports that netfilter can match (iptables `-p X` + multiport; nft `X dport`). */
export const PORT_PROTOCOLS = ['tcp', 'udp', 'sctp', 'udplite', 'dccp'] as const;
export type PortProtocol = (typeof PORT_PROTOCOLS)[number];

export const PROTOCOL_NUMBERS: Readonly<Record<PortProtocol, number>> = { tcp: 6, udp: 17, sctp: 132, udplite: 136, dccp: 33 };

export interface PortRange {
  from: number;
  to: number;
}

/** iptables multiport takes at most 15 ports, a range counting as two. */
export const MAX_PORT_SLOTS = 15;

/** What callers may send for a port list: 53, "53", "53,80-90", [53, "80:90", { from: 1000, to: 2000 }]. */
export type PortListInput = number | string | ReadonlyArray<number | string | { from: number | string; to: number | string }>;

const PORT_TEXT = /^[0-9]{1,5}$/;
const RANGE_TEXT = /^([0-9]{1,5})[-:]([0-9]{1,5})$/;

type Issue = { path: Array<string | number>; message: string };

function portValue(value: unknown, path: Array<string | number>, issues: Issue[]): number | null {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && PORT_TEXT.test(value)) n = Number(value);
  else {
    issues.push({ path, message: typeof value === 'string' ? 'must be a port number (ASCII digits only)' : 'must be a port number' });
    return null;
  }
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    issues.push({ path, message: 'must be a port number 1-65535' });
    return null;
  }
  return n;
}

function rangeValue(from: number | null, to: number | null, path: Array<string | number>, issues: Issue[]): PortRange | null {
  if (from === null || to === null) return null;
  if (from > to) {
    issues.push({ path, message: `range is reversed (${from} > ${to})` });
    return null;
  }
  return { from, to };
}

function portItem(item: unknown, path: Array<string | number>, issues: Issue[]): PortRange | null {
  if (typeof item === 'number' || (typeof item === 'string' && PORT_TEXT.test(item))) {
    const p = portValue(item, path, issues);
    return rangeValue(p, p, path, issues);
  }
  if (typeof item === 'string') {
    if (item.length > 11) {
      issues.push({ path, message: 'must be a port or a range like 1000-2000' });
      return null;
    }
    const m = RANGE_TEXT.exec(item);
    if (m) return rangeValue(portValue(m[1], path, issues), portValue(m[2], path, issues), path, issues);
    issues.push({ path, message: 'must be a port or a range like 1000-2000 (ASCII digits only)' });
    return null;
  }
  if (item && typeof item === 'object' && !Array.isArray(item)) {
    const record = item as Record<string, unknown>;
    const extra = Object.keys(record).filter((k) => k !== 'from' && k !== 'to');
    if (extra.length) {
      issues.push({ path, message: `unknown keys ${extra.join(', ')}` });
      return null;
    }
    return rangeValue(portValue(record.from, [...path, 'from'], issues), portValue(record.to, [...path, 'to'], issues), [...path, 'to'], issues);
  }
  issues.push({ path, message: 'must be a port, a range like 1000-2000, or { from, to }' });
  return null;
}

/** A list of ports/ranges (see PortListInput). Normalised: sorted, overlaps merged. */
export const portList = z.custom<PortListInput>(() => true).transform((value, ctx): PortRange[] => {
  const issues: Issue[] = [];
  let items: unknown[];
  if (typeof value === 'string') {
    if (value.length > 200) issues.push({ path: [], message: 'is too long' });
    items = value.split(',');
  } else if (Array.isArray(value)) items = value;
  else items = [value];
  if (items.length === 0) issues.push({ path: [], message: 'needs at least one port' });
  const ranges = issues.length ? [] : items.map((item, i) => portItem(item, typeof value === 'string' || Array.isArray(value) ? [i] : [], issues));
  const slots = ranges.reduce((n, r) => n + (r === null ? 0 : r.from === r.to ? 1 : 2), 0);
  if (issues.length === 0 && slots > MAX_PORT_SLOTS) issues.push({ path: [], message: `at most ${MAX_PORT_SLOTS} ports (a range counts as 2)` });
  if (issues.length) {
    for (const issue of issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    return z.NEVER;
  }
  return mergeRanges(ranges.filter((r): r is PortRange => r !== null));
});

function mergeRanges(items: PortRange[]): PortRange[] {
  const sorted = [...items].sort((a, b) => a.from - b.from);
  const out: PortRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.from <= last.to + 1) last.to = Math.max(last.to, r.to);
    else out.push({ ...r });
  }
  return out;
}

/** Linux interface names: 1-15 bytes (IFNAMSIZ 16 with NUL); we allow [A-Za-z0-9_.-], no leading '-'. */
export const interfaceName = z
  .string()
  .min(1, 'must not be empty')
  .max(15, 'must be at most 15 characters (IFNAMSIZ)')
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'may contain only A-Z a-z 0-9 _ . - and must not start with "-" or "."')
  .refine((s) => s !== '.' && s !== '..', 'is not a valid interface name');

export const cidr = z
  .string()
  .max(49, 'is too long for an address')
  .transform((text, ctx): Cidr => {
    const parsed = parseCidr(text);
    if (typeof parsed === 'string') {
      ctx.addIssue({ code: 'custom', message: parsed });
      return z.NEVER;
    }
    return parsed;
  });

/** iptables LOG allows 29 characters; printable ASCII without quotes or backslash (nft and shells quote them). */
export const logPrefix = z
  .string()
  .min(1, 'must not be empty')
  .max(29, 'must be at most 29 characters (iptables LOG limit)')
  .regex(/^[\x20-\x7e]+$/, 'must be printable ASCII')
  .refine((s) => !/["'`\\$;]/.test(s), 'must not contain quotes, backticks, backslashes, "$" or ";"');

export const RATE_UNITS = ['second', 'minute', 'hour', 'day'] as const;
export type RateUnit = (typeof RATE_UNITS)[number];

export const rateLimit = z.strictObject({
  count: z.number().int('must be a whole number').min(1, 'must be at least 1').max(10000, 'must be at most 10000'),
  per: z.enum(RATE_UNITS, { error: `must be one of ${RATE_UNITS.join(', ')}` }),
  burst: z.number().int('must be a whole number').min(1, 'must be at least 1').max(10000, 'must be at most 10000').default(5),
});
export type RateLimit = z.infer<typeof rateLimit>;
