import { execRunner, tryRun, type Runner } from '@ctscope/rules';
import { MAX_SNAPSHOT_RULESET_LINES } from '@ctscope/protocol';

export interface RulesetLine {
  source: string;
  line: string;
}

/** The lines of a ruleset that touch conntrack: `ct ` expressions, notrack, the CT target, -m conntrack. */
const CONNTRACK_RELATED = /\bct |\bnotrack\b|\bNOTRACK\b|-j CT\b|\bCT |conntrack/;

export function conntrackLines(source: string, text: string): RulesetLine[] {
  const out: RulesetLine[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.length > 0 && CONNTRACK_RELATED.test(line)) out.push({ source, line: line.slice(0, 4_000) });
  }
  return out;
}

/**
 * The host's conntrack-related rules as the kernel has them: `nft list ruleset` (which shows
 * iptables-nft rules too) and the legacy iptables tables. A program missing or refusing is skipped.
 */
export async function readRulesetLines(runner: Runner = execRunner): Promise<RulesetLine[]> {
  const reads: Array<[string, string, string[]]> = [
    ['nft', 'nft', ['list', 'ruleset']],
    ['iptables-legacy-save', 'iptables-legacy-save', []],
    ['ip6tables-legacy-save', 'ip6tables-legacy-save', []],
  ];
  const lines: RulesetLine[] = [];
  for (const [source, cmd, args] of reads) {
    const out = await tryRun(runner, cmd, args);
    if (out) lines.push(...conntrackLines(source, out.stdout));
  }
  return lines.slice(0, MAX_SNAPSHOT_RULESET_LINES);
}
