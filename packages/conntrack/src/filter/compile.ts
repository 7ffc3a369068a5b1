import type { Flow } from '../flow';
import { compileCidr, parseCidr } from './address';
import type { FlowFilter, NatMatch, PortRange } from './types';
import { searchTextPredicate } from './search-text';
import { statusMask } from './vocab';

export type FlowPredicate = (flow: Flow) => boolean;

const SRC_NAT_DONE = 1 << 7;
const DST_NAT_DONE = 1 << 8;

function addressPredicate(cidrText: string, pick: (flow: Flow) => string): FlowPredicate {
  const parsed = parseCidr(cidrText);
  if (!parsed.ok) throw new TypeError(`invalid address filter "${cidrText}": ${parsed.message}`);
  const inCidr = compileCidr(parsed.cidr);
  return (flow) => inCidr(pick(flow));
}

function portPredicate(range: PortRange, pick: (flow: Flow) => number | undefined): FlowPredicate {
  const { min, max } = range;
  return (flow) => {
    const port = pick(flow);
    return port !== undefined && port >= min && port <= max;
  };
}

/** Source NAT as libnetfilter_conntrack decides it: SRC_NAT_DONE and a rewritten source address or port. */
export function hasSrcNat(flow: Flow): boolean {
  if ((flow.statusBits & SRC_NAT_DONE) === 0) return false;
  return flow.reply.dst !== flow.orig.src || flow.reply.dport !== flow.orig.sport;
}

/** Destination NAT: DST_NAT_DONE and a rewritten destination address or port. */
export function hasDstNat(flow: Flow): boolean {
  if ((flow.statusBits & DST_NAT_DONE) === 0) return false;
  return flow.reply.src !== flow.orig.dst || flow.reply.sport !== flow.orig.dport;
}

function natPredicate(nat: NatMatch): FlowPredicate {
  switch (nat) {
    case 'snat':
      return hasSrcNat;
    case 'dnat':
      return hasDstNat;
    case 'both':
      return (flow) => hasSrcNat(flow) && hasDstNat(flow);
    case 'any':
      return (flow) => hasSrcNat(flow) || hasDstNat(flow);
  }
}

/**
 * Compiles a filter once (CIDRs parsed, sets built) into a predicate. Same meaning as
 * `conntrack -L` with the equivalent options; throws TypeError on a filter that is not canonical
 * (use parseQuery / parseConntrackArgs to build filters from text).
 */
export function compileFilter(filter: FlowFilter): FlowPredicate {
  const checks: FlowPredicate[] = [];
  const { family, proto } = filter;
  if (family !== undefined) checks.push((flow) => flow.family === family);
  if (proto !== undefined) checks.push((flow) => flow.protoNum === proto);
  if (filter.statusRequired?.length || filter.statusForbidden?.length) {
    const required = statusMask(filter.statusRequired);
    const forbidden = statusMask(filter.statusForbidden);
    checks.push((flow) => (flow.statusBits & required) === required && (flow.statusBits & forbidden) === 0);
  }
  if (filter.mark !== undefined) {
    const { value, mask } = filter.mark;
    checks.push((flow) => flow.mark !== undefined && ((flow.mark & mask) >>> 0) === value);
  }
  if (filter.zone !== undefined) {
    const zone = filter.zone;
    checks.push((flow) => (flow.zone ?? 0) === zone);
  }
  if (filter.states?.length) {
    const states = new Set(filter.states);
    checks.push((flow) => flow.state !== undefined && states.has(flow.state === 'LISTEN' ? 'SYN_SENT2' : flow.state));
  }
  if (filter.sport) checks.push(portPredicate(filter.sport, (f) => f.orig.sport));
  if (filter.dport) checks.push(portPredicate(filter.dport, (f) => f.orig.dport));
  if (filter.replySport) checks.push(portPredicate(filter.replySport, (f) => f.reply.sport));
  if (filter.replyDport) checks.push(portPredicate(filter.replyDport, (f) => f.reply.dport));
  if (filter.src !== undefined) checks.push(addressPredicate(filter.src, (f) => f.orig.src));
  if (filter.dst !== undefined) checks.push(addressPredicate(filter.dst, (f) => f.orig.dst));
  if (filter.replySrc !== undefined) checks.push(addressPredicate(filter.replySrc, (f) => f.reply.src));
  if (filter.replyDst !== undefined) checks.push(addressPredicate(filter.replyDst, (f) => f.reply.dst));
  if (filter.nat !== undefined) checks.push(natPredicate(filter.nat));
  if (filter.text?.length) {
    checks.push(searchTextPredicate(filter.text));
  }
  const count = checks.length;
  if (count === 0) return () => true;
  return (flow) => {
    for (let i = 0; i < count; i++) if (!(checks[i] as FlowPredicate)(flow)) return false;
    return true;
  };
}

/** One-off match; for many flows compile once with compileFilter. */
export function matchFlow(filter: FlowFilter, flow: Flow): boolean {
  return compileFilter(filter)(flow);
}
