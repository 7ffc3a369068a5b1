import type { Family, StatusFlag } from '../flow';

/** An inclusive port range; a single port has min === max. */
export interface PortRange {
  min: number;
  max: number;
}

/** Matches when (flow.mark & mask) === value, exactly like `conntrack -m value/mask`. */
export interface MarkMatch {
  value: number;
  mask: number;
}

/** `snat` (-n), `dnat` (-g), `both` (-n -g: source and destination NAT), `any` (-j). */
export type NatMatch = 'snat' | 'dnat' | 'both' | 'any';

/**
 * One filter over conntrack entries. Every field is optional and all given fields must match.
 * Values are canonical (addresses as network/prefix with host bits cleared, states and status in
 * upper case, status lists in bit order), so two filters with the same meaning are deep-equal.
 */
export interface FlowFilter {
  family?: Family;
  /** IANA protocol number (6 tcp, 17 udp, ...). */
  proto?: number;
  /** Original-direction source / destination: an address or CIDR. */
  src?: string;
  dst?: string;
  /** Reply-direction source / destination: an address or CIDR. */
  replySrc?: string;
  replyDst?: string;
  sport?: PortRange;
  dport?: PortRange;
  replySport?: PortRange;
  replyDport?: PortRange;
  /** TCP / SCTP / DCCP states (any of them matches), as `conntrack` prints them. */
  states?: string[];
  /** Status bits that must be set. */
  statusRequired?: StatusFlag[];
  /** Status bits that must be clear (SEEN_REPLY here means [UNREPLIED]). */
  statusForbidden?: StatusFlag[];
  mark?: MarkMatch;
  zone?: number;
  nat?: NatMatch;
  /** Free-text terms; each must occur (case-insensitive) in the entry's text. */
  text?: string[];
}

/** A query-syntax error: the offending token, its [start, end) offsets and what was expected. */
export class FilterSyntaxError extends Error {
  override readonly name = 'FilterSyntaxError';
  constructor(
    readonly token: string,
    readonly start: number,
    readonly end: number,
    readonly expected: string,
  ) {
    super(`${expected} (at ${start}-${end}: "${token}")`);
  }
}

/** A `conntrack` argument error: the argv index of the offending argument and what was expected. */
export class FilterArgsError extends Error {
  override readonly name = 'FilterArgsError';
  constructor(
    readonly index: number,
    readonly arg: string,
    readonly expected: string,
  ) {
    super(`${expected} (argument ${index}: "${arg}")`);
  }
}

/** The filter uses something the `conntrack` CLI cannot express (a port range, a free-text term...). */
export class FilterNotExpressibleError extends Error {
  override readonly name = 'FilterNotExpressibleError';
  constructor(
    readonly field: keyof FlowFilter,
    message: string,
  ) {
    super(message);
  }
}
