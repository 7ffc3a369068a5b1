import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Matches ruleset text that makes the kernel track connections: ct expressions, NAT, xt conntrack/state. */
const USES_CONNTRACK = /\bct (state|status|mark|zone|label|helper|direction|expiration|count|original|reply)\b|\b(snat|dnat|masquerade|redirect)\b|type nat hook|xt match "(conntrack|state|connlimit)"|\bnotrack\b/;

export function rulesetUsesConntrack(ruleset: string): boolean {
  return USES_CONNTRACK.test(ruleset);
}

/**
 * Whether conntrack hooks are active in this network namespace. The kernel registers them only when some
 * rule needs conntrack, so an empty table may just mean nothing asks for tracking. A non-zero count proves
 * it; otherwise the nftables ruleset (which also shows iptables-nft rules) is checked, at most every
 * `ttlMs` because listing a large ruleset is not free.
 */
export class HooksProbe {
  private cached: { at: number; active: boolean } | null = null;

  constructor(
    private readonly listRuleset: () => Promise<string> = defaultListRuleset,
    private readonly ttlMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  async active(count: number): Promise<boolean> {
    if (count > 0) return true;
    const at = this.now();
    if (this.cached && at - this.cached.at < this.ttlMs) return this.cached.active;
    const active = await this.listRuleset().then(rulesetUsesConntrack, () => false);
    this.cached = { at, active };
    return active;
  }
}

async function defaultListRuleset(): Promise<string> {
  const { stdout } = await execFileAsync('nft', ['list', 'ruleset'], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}
