import type { Backend } from './detect';

/** One rule of ours as the kernel has it now (re-read from the kernel, so it survives restarts). */
export interface OwnedRule {
  id: string;
  backend: Backend;
  /** `inet` for our nft table; the address family for iptables. */
  family: 'inet' | 'ipv4' | 'ipv6';
  table: string;
  chain: string;
  /** Opaque reference for removeRule({ handle }): nft `<chain>:<handle>`, iptables `<family>:<chain>:<position>`. */
  handle: string;
  packets: bigint;
  bytes: bigint;
  /** The rule as the firewall tool prints it. */
  text: string;
}

export interface OwnedRuleGroup {
  id: string;
  rules: OwnedRule[];
  packets: bigint;
  bytes: bigint;
}

export function groupById(rules: readonly OwnedRule[]): OwnedRuleGroup[] {
  const groups = new Map<string, OwnedRuleGroup>();
  for (const rule of rules) {
    let group = groups.get(rule.id);
    if (!group) groups.set(rule.id, (group = { id: rule.id, rules: [], packets: 0n, bytes: 0n }));
    group.rules.push(rule);
    group.packets += rule.packets;
    group.bytes += rule.bytes;
  }
  return [...groups.values()];
}

export interface ApplyResult {
  id: string;
  backend: Backend;
  /** False when every rule of this id was already in place (idempotent re-apply). */
  changed: boolean;
  /** Rules of this id in the kernel afterwards. */
  rules: number;
}

export type RuleRef = { id: string } | { handle: string };
