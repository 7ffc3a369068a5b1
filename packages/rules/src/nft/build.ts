import { formatPorts, notrackHalves, type NotrackHalf } from '../halves';
import { prefixMask } from '../spec/address';
import type { PortRange, RateLimit } from '../spec/primitives';
import type { ConnlimitSpec, LogInvalidSpec, NotrackSpec, RuleSpec, StateSpec, UntrackedAcceptSpec } from '../spec/schemas';
import { shellCommand } from '../quote';
import { NFT_CHAINS, NFT_FAMILY, NFT_TABLE, filterChainName, type NftChainName } from './table';

export interface NftRule {
  chain: NftChainName;
  /** Rule body as `nft add rule inet ctscope <chain>` takes it. */
  text: string;
}

export interface NftSet {
  name: string;
  /** Body of `add set inet ctscope <name> { ... }`. */
  definition: string;
}

export interface NftRendering {
  rules: NftRule[];
  sets: NftSet[];
  /** Input for `nft -f -`: table, chains and sets if missing, then the rules; one transaction. */
  fragment: string;
  /** What an operator would type, for display only (apply never runs these). */
  commands: string[];
}

const addrKeyword = (family: 'ipv4' | 'ipv6') => (family === 'ipv4' ? 'ip' : 'ip6');

function portsExpr(ports: readonly PortRange[]): string {
  const text = formatPorts(ports, '-', ', ');
  return ports.length === 1 ? text : `{ ${text} }`;
}

/** `meta nfproto` only when nothing else in the rule already pins the family. */
function familyMatch(family: 'ipv4' | 'ipv6' | 'both', pinnedByAddress: boolean): string[] {
  if (family === 'both' || pinnedByAddress) return [];
  return [`meta nfproto ${family}`];
}

function notrackRule(spec: NotrackSpec, half: NotrackHalf, comment: string): NftRule {
  const parts: string[] = [];
  parts.push(...familyMatch(spec.family, Boolean(half.saddr ?? half.daddr)));
  if (half.iifname) parts.push(`iifname "${half.iifname}"`);
  if (half.oifname) parts.push(`oifname "${half.oifname}"`);
  if (half.saddr) parts.push(`${addrKeyword(half.saddr.family)} saddr ${half.saddr.text}`);
  if (half.daddr) parts.push(`${addrKeyword(half.daddr.family)} daddr ${half.daddr.text}`);
  parts.push(`${spec.protocol} ${half.portField} ${portsExpr(half.ports)}`);
  parts.push('counter', 'notrack', `comment "${comment}"`);
  return { chain: half.hook === 'prerouting' ? 'raw_prerouting' : 'raw_output', text: parts.join(' ') };
}

function rateExpr(rate: RateLimit): string {
  return `limit rate ${rate.count}/${rate.per} burst ${rate.burst} packets`;
}

export const DEFAULT_LOG_PREFIX = 'ctscope-new: ';
export const DEFAULT_LOG_RATE: RateLimit = { count: 10, per: 'minute', burst: 5 };

function stateRule(spec: StateSpec | UntrackedAcceptSpec, comment: string): NftRule {
  const parts = familyMatch(spec.family, false);
  if (spec.kind === 'untracked-accept') parts.push('ct state untracked', 'counter', 'accept');
  else if (spec.template === 'drop-invalid') parts.push('ct state invalid', 'counter', 'drop');
  else if (spec.template === 'accept-established') parts.push('ct state established,related', 'counter', 'accept');
  else parts.push('ct state new', rateExpr(spec.rate ?? DEFAULT_LOG_RATE), 'counter', `log prefix "${spec.logPrefix ?? DEFAULT_LOG_PREFIX}"`);
  parts.push(`comment "${comment}"`);
  return { chain: filterChainName(spec.chain), text: parts.join(' ') };
}

/** The counter comes before the limit, so it counts every INVALID packet, not only the logged ones. */
function logInvalidRules(spec: LogInvalidSpec, comment: string): NftRule[] {
  return spec.chains.map((chain) => {
    const parts = familyMatch(spec.family, false);
    parts.push('ct state invalid', 'counter', rateExpr(spec.rate), `log prefix "${spec.logPrefix}"`, `comment "${comment}"`);
    return { chain: filterChainName(chain), text: parts.join(' ') };
  });
}

export function connlimitSetName(id: string, family: 'ipv4' | 'ipv6'): string {
  return `cl_${id}_${family === 'ipv4' ? 'v4' : 'v6'}`;
}

function connlimitRules(spec: ConnlimitSpec, id: string, comment: string): { rules: NftRule[]; sets: NftSet[] } {
  const rules: NftRule[] = [];
  const sets: NftSet[] = [];
  for (const family of spec.family === 'both' ? (['ipv4', 'ipv6'] as const) : [spec.family]) {
    const name = connlimitSetName(id, family);
    sets.push({ name, definition: `type ${family === 'ipv4' ? 'ipv4_addr' : 'ipv6_addr'}; size 65535; flags dynamic;` });
    const bits = family === 'ipv4' ? spec.mask : spec.mask6;
    const full = family === 'ipv4' ? 32 : 128;
    const key = `${addrKeyword(family)} saddr${bits < full ? ` & ${prefixMask(family, bits)}` : ''}`;
    const parts: string[] = [];
    if (spec.interface) parts.push(`iifname "${spec.interface}"`);
    parts.push(spec.ports ? `${spec.protocol} dport ${portsExpr(spec.ports)}` : `meta l4proto ${spec.protocol}`);
    parts.push('ct state new', `add @${name} { ${key} ct count over ${spec.above} }`, 'counter');
    parts.push(spec.action === 'drop' ? 'drop' : spec.protocol === 'tcp' ? 'reject with tcp reset' : 'reject');
    parts.push(`comment "${comment}"`);
    rules.push({ chain: filterChainName(spec.chain), text: parts.join(' ') });
  }
  return { rules, sets };
}

export function nftRulesFor(spec: RuleSpec, id: string, comment: string): { rules: NftRule[]; sets: NftSet[] } {
  switch (spec.kind) {
    case 'notrack':
      return { rules: notrackHalves(spec).map((h) => notrackRule(spec, h, comment)), sets: [] };
    case 'connlimit':
      return connlimitRules(spec, id, comment);
    case 'state':
    case 'untracked-accept':
      return { rules: [stateRule(spec, comment)], sets: [] };
    case 'log-invalid':
      return { rules: logInvalidRules(spec, comment), sets: [] };
  }
}

/** `nft -f` text that creates what is missing (add is idempotent for tables, chains, sets) and adds rules. */
export function nftFragment(rules: readonly NftRule[], sets: readonly NftSet[]): string {
  const lines = [`add table ${NFT_FAMILY} ${NFT_TABLE}`];
  const chains = [...new Set(rules.map((r) => r.chain))];
  for (const chain of chains) lines.push(`add chain ${NFT_FAMILY} ${NFT_TABLE} ${chain} { ${NFT_CHAINS[chain]} }`);
  for (const set of sets) lines.push(`add set ${NFT_FAMILY} ${NFT_TABLE} ${set.name} { ${set.definition} }`);
  for (const rule of rules) lines.push(`add rule ${NFT_FAMILY} ${NFT_TABLE} ${rule.chain} ${rule.text}`);
  return `${lines.join('\n')}\n`;
}

export function renderNft(spec: RuleSpec, id: string, comment: string): NftRendering {
  const { rules, sets } = nftRulesFor(spec, id, comment);
  const fragment = nftFragment(rules, sets);
  const commands = fragment
    .trim()
    .split('\n')
    .map((line) => shellCommand(['nft', line]));
  return { rules, sets, fragment, commands };
}
