import { formatPorts, notrackHalves, specFamilies, type NotrackHalf } from '../halves';
import type { PortProtocol, PortRange, RateLimit } from '../spec/primitives';
import type { ConnlimitSpec, LogInvalidSpec, NotrackSpec, RuleSpec, StateSpec, UntrackedAcceptSpec } from '../spec/schemas';
import { DEFAULT_LOG_PREFIX, DEFAULT_LOG_RATE } from '../nft/build';
import { shellCommand } from '../quote';
import { IPT_CHAINS, iptFilterChain, type IptChainName } from './chains';
import { renderRestore } from './restore';

export type NotrackTarget = 'CT' | 'NOTRACK';

export interface IptablesRule {
  family: 'ipv4' | 'ipv6';
  chain: IptChainName;
  /** Rule arguments after `-A <chain>` (argv elements, unquoted). */
  args: string[];
}

export interface IptablesRendering {
  rules: IptablesRule[];
  /** `iptables-restore --noflush` / `ip6tables-restore --noflush` input for a host without our chains. */
  restore: { ipv4?: string; ipv6?: string };
  /** What an operator would type, for display only (apply never runs these). */
  commands: string[];
}

/** `-m <proto> --dport` where such a match module exists; multiport otherwise (udplite) or for lists. */
function portArgs(protocol: PortProtocol, field: 'dport' | 'sport', ports: readonly PortRange[]): string[] {
  const first = ports[0];
  if (ports.length === 1 && first && protocol !== 'udplite') {
    return ['-m', protocol, `--${field}`, formatPorts(ports, ':', ',')];
  }
  return ['-m', 'multiport', `--${field}s`, formatPorts(ports, ':', ',')];
}

const commentArgs = (comment: string) => ['-m', 'comment', '--comment', comment];

function notrackRules(spec: NotrackSpec, half: NotrackHalf, comment: string, target: NotrackTarget): IptablesRule[] {
  const families = half.saddr ? [half.saddr.family] : half.daddr ? [half.daddr.family] : specFamilies(spec.family);
  return families.map((family) => {
    const args = ['-p', spec.protocol];
    if (half.iifname) args.push('-i', half.iifname);
    if (half.oifname) args.push('-o', half.oifname);
    if (half.saddr) args.push('-s', half.saddr.text);
    if (half.daddr) args.push('-d', half.daddr.text);
    args.push(...portArgs(spec.protocol, half.portField, half.ports), ...commentArgs(comment));
    args.push(...(target === 'CT' ? ['-j', 'CT', '--notrack'] : ['-j', 'NOTRACK']));
    return { family, chain: half.hook === 'prerouting' ? 'CTSCOPE-RAW-PRE' : 'CTSCOPE-RAW-OUT', args };
  });
}

function limitArgs(rate: RateLimit): string[] {
  return ['-m', 'limit', '--limit', `${rate.count}/${rate.per}`, '--limit-burst', String(rate.burst)];
}

function stateRules(spec: StateSpec | UntrackedAcceptSpec, comment: string): IptablesRule[] {
  const chain = iptFilterChain(spec.chain);
  return specFamilies(spec.family).map((family) => {
    let args: string[];
    if (spec.kind === 'untracked-accept') args = ['-m', 'conntrack', '--ctstate', 'UNTRACKED', ...commentArgs(comment), '-j', 'ACCEPT'];
    else if (spec.template === 'drop-invalid') args = ['-m', 'conntrack', '--ctstate', 'INVALID', ...commentArgs(comment), '-j', 'DROP'];
    else if (spec.template === 'accept-established') args = ['-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', ...commentArgs(comment), '-j', 'ACCEPT'];
    else {
      args = ['-m', 'conntrack', '--ctstate', 'NEW', ...limitArgs(spec.rate ?? DEFAULT_LOG_RATE), ...commentArgs(comment)];
      args.push('-j', 'LOG', '--log-prefix', spec.logPrefix ?? DEFAULT_LOG_PREFIX);
    }
    return { family, chain, args };
  });
}

function logInvalidRules(spec: LogInvalidSpec, comment: string): IptablesRule[] {
  return spec.chains.flatMap((chain) =>
    specFamilies(spec.family).map((family) => ({
      family,
      chain: iptFilterChain(chain),
      args: ['-m', 'conntrack', '--ctstate', 'INVALID', ...limitArgs(spec.rate), ...commentArgs(comment), '-j', 'LOG', '--log-prefix', spec.logPrefix],
    })),
  );
}

function connlimitRules(spec: ConnlimitSpec, comment: string): IptablesRule[] {
  const chain = iptFilterChain(spec.chain);
  return specFamilies(spec.family).map((family) => {
    const args = ['-p', spec.protocol];
    if (spec.interface) args.push('-i', spec.interface);
    if (spec.ports) args.push(...portArgs(spec.protocol, 'dport', spec.ports));
    args.push('-m', 'conntrack', '--ctstate', 'NEW');
    args.push('-m', 'connlimit', '--connlimit-above', String(spec.above), '--connlimit-mask', String(family === 'ipv4' ? spec.mask : spec.mask6), '--connlimit-saddr');
    args.push(...commentArgs(comment));
    if (spec.action === 'drop') args.push('-j', 'DROP');
    else if (spec.protocol === 'tcp') args.push('-j', 'REJECT', '--reject-with', 'tcp-reset');
    else args.push('-j', 'REJECT');
    return { family, chain, args };
  });
}

export function iptablesRulesFor(spec: RuleSpec, comment: string, target: NotrackTarget): IptablesRule[] {
  switch (spec.kind) {
    case 'notrack':
      return notrackHalves(spec).flatMap((h) => notrackRules(spec, h, comment, target));
    case 'connlimit':
      return connlimitRules(spec, comment);
    case 'state':
    case 'untracked-accept':
      return stateRules(spec, comment);
    case 'log-invalid':
      return logInvalidRules(spec, comment);
  }
}

export const IPTABLES_CLI = { ipv4: 'iptables', ipv6: 'ip6tables' } as const;

export function renderIptables(spec: RuleSpec, comment: string, target: NotrackTarget): IptablesRendering {
  const rules = iptablesRulesFor(spec, comment, target);
  const restore: IptablesRendering['restore'] = {};
  const commands: string[] = [];
  for (const family of ['ipv4', 'ipv6'] as const) {
    const mine = rules.filter((r) => r.family === family);
    if (mine.length === 0) continue;
    const chains = [...new Set(mine.map((r) => r.chain))];
    restore[family] = renderRestore({
      chains: chains.map((chain) => ({ chain, lines: mine.filter((r) => r.chain === chain).map((r) => ({ args: r.args })) })),
      addJumps: chains,
    });
    const cli = IPTABLES_CLI[family];
    for (const chain of chains) {
      const { table, builtin } = IPT_CHAINS[chain];
      commands.push(shellCommand([cli, '-t', table, '-N', chain]));
      commands.push(shellCommand([cli, '-t', table, '-I', builtin, '1', '-j', chain]));
    }
    for (const rule of mine) commands.push(shellCommand([cli, '-t', IPT_CHAINS[rule.chain].table, '-A', rule.chain, ...rule.args]));
  }
  return { rules, restore, commands };
}
