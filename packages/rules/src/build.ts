import { ruleComment, ruleId } from './id';
import { renderIptables, type IptablesRendering, type NotrackTarget } from './iptables/build';
import { renderNft, type NftRendering } from './nft/build';
import type { FilterChain, RuleSpec } from './spec/schemas';
import { assertRuleSpec, type ValidRuleSpec } from './spec/validate';
import { formatPorts } from './halves';

export type Syntax = 'nft' | 'iptables';

export interface BuildOptions {
  /** The syntax of the backend in use (from detection); the other one is rendered for reference. Default nft. */
  syntax?: Syntax;
  /** `CT` (`-j CT --notrack`, needs xt_CT) or the older `NOTRACK` target. Default CT. */
  notrackTarget?: NotrackTarget;
}

declare const builtBrand: unique symbol;

/** Output of buildRule only (branded): apply functions accept nothing else. */
export interface BuiltRule {
  readonly [builtBrand]: true;
  id: string;
  /** `ctscope:<id>`, carried by every rule of this spec. */
  comment: string;
  spec: ValidRuleSpec;
  summary: string;
  syntax: Syntax;
  nft: NftRendering;
  iptables: IptablesRendering;
  /** For NOTRACK: the untracked-accept rules that keep stateful filter chains from dropping the traffic. */
  companions: BuiltRule[];
  /** Things the operator must know before applying. */
  notes: string[];
}

const FAMILY_TEXT = { ipv4: 'IPv4', ipv6: 'IPv6', both: 'IPv4+IPv6' } as const;

export function summarise(spec: RuleSpec): string {
  const fam = FAMILY_TEXT[spec.family];
  switch (spec.kind) {
    case 'notrack': {
      const dir = spec.direction === 'both' ? 'both directions' : `${spec.direction} only`;
      const where = [spec.interface && `on ${spec.interface}`, spec.source && `from ${spec.source.text}`, spec.destination && `to ${spec.destination.text}`].filter(Boolean).join(' ');
      return `NOTRACK ${spec.protocol} ${formatPorts(spec.ports, '-', ',')} (${spec.role}, ${dir}, ${fam})${where ? ` ${where}` : ''}`;
    }
    case 'untracked-accept':
      return `accept untracked packets in ${spec.chain} (${fam})`;
    case 'state':
      return `${spec.template} in ${spec.chain} (${fam})`;
    case 'log-invalid':
      return `log INVALID packets (${spec.rate.count}/${spec.rate.per}, prefix "${spec.logPrefix.trim()}") in ${spec.chains.join(', ')} (${fam})`;
    case 'connlimit':
      return `${spec.action} ${spec.protocol}${spec.ports ? ` ${formatPorts(spec.ports, '-', ',')}` : ''} above ${spec.above} connections per source (/${spec.mask}, /${spec.mask6}) in ${spec.chain} (${fam})`;
  }
}

function notesFor(spec: RuleSpec, syntax: Syntax): string[] {
  const notes: string[] = [];
  if (spec.kind === 'notrack') {
    if (spec.direction !== 'both') {
      notes.push(`Only the ${spec.direction} half: packets of the other direction still create conntrack entries (in reverse). Use direction "both" to stop tracking this traffic.`);
    }
    if (spec.family === 'ipv4') notes.push('IPv4 only: IPv6 traffic on these ports stays tracked.');
    if (spec.family === 'ipv6') notes.push('IPv6 only: IPv4 traffic on these ports stays tracked.');
    notes.push('Entries that already exist for this traffic stay until they time out; delete them in the same step.');
    notes.push('Untracked packets get no NAT, no conntrack helpers, no RELATED and no ICMP-error matching.');
  }
  if (spec.kind === 'log-invalid') {
    notes.push('Only logs: INVALID packets are neither dropped nor accepted by this rule. Read them with dmesg or journalctl -k.');
    notes.push('Logging from inside a container or network namespace other than the host\'s needs net.netfilter.nf_log_all_netns=1 on the host; the rule\'s counter counts the packets either way.');
  }
  if (syntax === 'nft' && (spec.kind === 'untracked-accept' || (spec.kind === 'state' && spec.template === 'accept-established'))) {
    notes.push('nftables: an accept in table inet ctscope does not stop a drop in another table on the same hook. If your own stateful chain drops, insert the rule there (see userChainRule).');
  }
  return notes;
}

function companionChains(spec: RuleSpec): FilterChain[] {
  if (spec.kind !== 'notrack') return [];
  const chains: FilterChain[] = [];
  if (spec.direction !== 'outbound') chains.push('input');
  if (spec.direction !== 'inbound') chains.push('output');
  return chains;
}

/** Builds every rendering of one validated spec. Pure: no system access. */
export function buildRule(spec: ValidRuleSpec, options: BuildOptions = {}): BuiltRule {
  const syntax = options.syntax ?? 'nft';
  const id = ruleId(spec);
  const comment = ruleComment(id);
  const companions = companionChains(spec).map((chain) => buildRule(assertRuleSpec({ kind: 'untracked-accept', chain, family: spec.family }), options));
  const built: Omit<BuiltRule, typeof builtBrand> = {
    id,
    comment,
    spec,
    summary: summarise(spec),
    syntax,
    nft: renderNft(spec, id, comment),
    iptables: renderIptables(spec, comment, options.notrackTarget ?? 'CT'),
    companions,
    notes: notesFor(spec, syntax),
  };
  return built as BuiltRule;
}
