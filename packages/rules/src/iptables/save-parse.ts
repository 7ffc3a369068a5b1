import { COMMENT_PREFIX, RULE_ID_PATTERN } from '../id';
import { IPT_CHAINS, isOwnChain, type IptChainName } from './chains';
import type { Counters } from './restore';

export interface SavedRule {
  chain: IptChainName;
  /** 1-based position in the chain. */
  position: number;
  /** What follows `-A <chain> ` in iptables-save output (already quoted the way restore reads it). */
  body: string;
  counters: Counters;
  id: string | null;
}

export interface SavedState {
  /** Our chains that exist, with their rules in order. */
  chains: Map<IptChainName, SavedRule[]>;
  /** How many jump rules to each of our chains exist in its built-in chain. */
  jumps: Map<IptChainName, number>;
}

const COMMENT_RE = new RegExp(`--comment "?${COMMENT_PREFIX}([0-9a-f]+)"?`);

export function idInBody(body: string): string | null {
  const m = COMMENT_RE.exec(body);
  return m?.[1] && RULE_ID_PATTERN.test(m[1]) ? m[1] : null;
}

/** Reads our chains and jumps out of `iptables-save -c` output; everything else is ignored. */
export function parseSave(text: string): SavedState {
  const chains = new Map<IptChainName, SavedRule[]>();
  const jumps = new Map<IptChainName, number>();
  let table = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) {
      table = line.slice(1).trim();
      continue;
    }
    const decl = /^:(\S+) /.exec(line);
    if (decl) {
      const name = decl[1] ?? '';
      if (isOwnChain(name) && IPT_CHAINS[name].table === table && !chains.has(name)) chains.set(name, []);
      continue;
    }
    const rule = /^(?:\[(\d+):(\d+)\] )?-A (\S+) (.*)$/.exec(line);
    if (!rule) continue;
    const [, packets, bytes, chain = '', body = ''] = rule;
    const counters = { packets: BigInt(packets ?? 0), bytes: BigInt(bytes ?? 0) };
    if (isOwnChain(chain) && IPT_CHAINS[chain].table === table) {
      const list = chains.get(chain) ?? [];
      chains.set(chain, list);
      list.push({ chain, position: list.length + 1, body, counters, id: idInBody(body) });
      continue;
    }
    const jump = /^-j (CTSCOPE-[A-Z-]+)$/.exec(body);
    if (jump && isOwnChain(jump[1] ?? '')) {
      const target = jump[1] as IptChainName;
      if (IPT_CHAINS[target].table === table && IPT_CHAINS[target].builtin === chain) jumps.set(target, (jumps.get(target) ?? 0) + 1);
    }
  }
  return { chains, jumps };
}
