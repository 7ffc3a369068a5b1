import { specFamilies } from '../halves';
import { cidrContains } from '../spec/address';
import { PROTOCOL_NUMBERS } from '../spec/primitives';
import type { NotrackSpec } from '../spec/schemas';
import type { ListeningSocket } from './listeners';
import { statefulChains, type StatefulChain } from './ruleset';
import { userChainUntrackedAccept } from '../nft/user-chain';

/**
 * The part of a conntrack entry the impact helpers read. The `Flow` model of @ctscope/conntrack is
 * assignable to it; kept structural so this package depends on no other.
 */
export interface ImpactTuple {
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
}
export interface ImpactFlow {
  family: 'ipv4' | 'ipv6';
  protoNum: number;
  orig: ImpactTuple;
  reply: ImpactTuple;
  status: readonly string[];
  nat?: { src?: unknown; dst?: unknown };
}

export type WarningCode =
  | 'half-pair'
  | 'existing-entries'
  | 'nat-in-use'
  | 'stateful-without-untracked-accept'
  | 'ipv6-not-covered'
  | 'ipv4-not-covered'
  | 'local-listener'
  | 'no-local-listener'
  | 'interface-not-checked';

export interface ImpactWarning {
  code: WarningCode;
  severity: 'info' | 'warning' | 'danger';
  message: string;
}

export interface NotrackImpactInput {
  flows: Iterable<ImpactFlow>;
  /** `nft list ruleset` and/or `iptables-save` text (one string each). */
  rulesets?: readonly string[];
  listeners?: readonly ListeningSocket[];
  /** At most this many matching flows are returned (all are counted). Default 1000. */
  sampleLimit?: number;
}

export interface NotrackImpact<F extends ImpactFlow = ImpactFlow> {
  /** Current entries this spec covers (they stay until they expire unless deleted). */
  matchedCount: number;
  matchedByFamily: { ipv4: number; ipv6: number };
  matched: F[];
  /** Entries of the other family that match everything but the family (family-restricted specs only). */
  otherFamilyCount: number;
  /** True when the spec untracks both directions, i.e. no new entries for this traffic. */
  stopsTracking: boolean;
  statefulChains: StatefulChain[];
  warnings: ImpactWarning[];
}

function inPorts(spec: NotrackSpec, port: number | undefined): boolean {
  return port !== undefined && spec.ports.some((r) => port >= r.from && port <= r.to);
}

/** A flow is covered when its original direction matches: protocol, service port (orig dport), addresses. */
export function flowMatchesNotrack(spec: NotrackSpec, flow: ImpactFlow, ignoreFamily = false): boolean {
  if (flow.protoNum !== PROTOCOL_NUMBERS[spec.protocol]) return false;
  if (!ignoreFamily && !specFamilies(spec.family).includes(flow.family)) return false;
  if (!inPorts(spec, flow.orig.dport)) return false;
  if (spec.source && (spec.source.family !== flow.family || !cidrContains(spec.source, flow.orig.src))) return false;
  if (spec.destination && (spec.destination.family !== flow.family || !cidrContains(spec.destination, flow.orig.dst))) return false;
  return true;
}

function usesNat(flow: ImpactFlow): boolean {
  return flow.status.includes('SRC_NAT') || flow.status.includes('DST_NAT') || Boolean(flow.nat?.src ?? flow.nat?.dst);
}

/** Which filter hooks the untracked packets will reach. */
function reachedHooks(spec: NotrackSpec): string[] {
  const hooks: string[] = [];
  if (spec.direction !== 'outbound') hooks.push('input', 'forward');
  if (spec.direction !== 'inbound') hooks.push('output');
  return hooks;
}

/** Pure what-if for a NOTRACK spec over the current table, ruleset and sockets. */
export function notrackImpact<F extends ImpactFlow>(spec: NotrackSpec, input: Omit<NotrackImpactInput, 'flows'> & { flows: Iterable<F> }): NotrackImpact<F> {
  const limit = input.sampleLimit ?? 1000;
  const matched: F[] = [];
  const byFamily = { ipv4: 0, ipv6: 0 };
  let otherFamily = 0;
  let natCount = 0;
  for (const flow of input.flows) {
    if (flowMatchesNotrack(spec, flow)) {
      byFamily[flow.family]++;
      if (matched.length < limit) matched.push(flow);
      if (usesNat(flow)) natCount++;
    } else if (spec.family !== 'both' && flowMatchesNotrack(spec, flow, true)) otherFamily++;
  }
  const matchedCount = byFamily.ipv4 + byFamily.ipv6;
  const warnings: ImpactWarning[] = [];
  const stopsTracking = spec.direction === 'both';
  if (!stopsTracking) {
    warnings.push({ code: 'half-pair', severity: 'warning', message: `Only the ${spec.direction} half is untracked: the other direction's packets will create conntrack entries (in reverse). Choose direction "both".` });
  }
  if (matchedCount > 0) {
    warnings.push({ code: 'existing-entries', severity: 'info', message: `${matchedCount} existing entr${matchedCount === 1 ? 'y' : 'ies'} match; they stay until they time out unless deleted in the same step.` });
  }
  if (natCount > 0) {
    warnings.push({ code: 'nat-in-use', severity: 'danger', message: `${natCount} matching entr${natCount === 1 ? 'y uses' : 'ies use'} NAT; untracked packets are not translated, so this traffic would break.` });
  }
  if (spec.family === 'ipv4') warnings.push({ code: 'ipv6-not-covered', severity: 'warning', message: `IPv4 only: IPv6 traffic on these ports stays tracked${otherFamily ? ` (${otherFamily} IPv6 entr${otherFamily === 1 ? 'y' : 'ies'} now)` : ''}.` });
  if (spec.family === 'ipv6') warnings.push({ code: 'ipv4-not-covered', severity: 'warning', message: `IPv6 only: IPv4 traffic on these ports stays tracked${otherFamily ? ` (${otherFamily} IPv4 entr${otherFamily === 1 ? 'y' : 'ies'} now)` : ''}.` });

  const hooks = reachedHooks(spec);
  const chains = (input.rulesets ?? []).flatMap((text) => statefulChains(text));
  const exposed = chains.filter((c) => !c.hasUntrackedAccept && (c.hook === null || hooks.includes(c.hook)));
  for (const c of exposed) {
    const [family = '', table = ''] = c.table.split(' ');
    const suggestion = c.syntax === 'nft' ? userChainUntrackedAccept({ family, table, chain: c.chain }) : null;
    const fix = suggestion?.ok ? suggestion.command : c.syntax === 'nft' ? 'ct state untracked accept' : '-m conntrack --ctstate UNTRACKED -j ACCEPT';
    warnings.push({
      code: 'stateful-without-untracked-accept',
      severity: c.drops ? 'danger' : 'warning',
      message: `${c.syntax} chain ${c.table} ${c.chain} matches conntrack state but has no untracked accept${c.drops ? ' and drops: untracked packets would be dropped there' : ''}. Add it before its state rules: ${fix}`,
    });
  }

  if (input.listeners && (spec.protocol === 'tcp' || spec.protocol === 'udp')) {
    const families = specFamilies(spec.family);
    const local = input.listeners.filter((l) => l.protocol === spec.protocol && inPorts(spec, l.port) && (families.includes(l.family) || l.address === '::'));
    if (local.length > 0) {
      const list = [...new Set(local.map((l) => `${l.family === 'ipv6' ? `[${l.address}]` : l.address}:${l.port}`))].join(', ');
      warnings.push({ code: 'local-listener', severity: exposed.length ? 'danger' : 'warning', message: `Local ${spec.protocol} listener(s) ${list}: their traffic becomes untracked; stateful rules protecting them need the untracked accept.` });
    } else if (spec.role !== 'client') {
      warnings.push({ code: 'no-local-listener', severity: 'info', message: `No local ${spec.protocol} socket listens on these ports: the rules only affect forwarded traffic or future listeners.` });
    }
  }
  if (spec.interface) warnings.push({ code: 'interface-not-checked', severity: 'info', message: 'Conntrack entries carry no interface: the counts include this traffic on every interface.' });

  return { matchedCount, matchedByFamily: byFamily, matched, otherFamilyCount: otherFamily, stopsTracking, statefulChains: chains, warnings };
}
