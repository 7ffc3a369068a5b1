import { IPT_CHAINS, IPT_TABLES, type IptChainName } from './chains';

export interface Counters {
  packets: bigint;
  bytes: bigint;
}

/** One rule of one of our chains: either argv from a builder, or the body iptables-save printed. */
export type RestoreLine = { args: readonly string[]; counters?: Counters } | { saved: string; counters?: Counters };

export interface RestoreChain {
  chain: IptChainName;
  /** The chain's complete content, in order. */
  lines: RestoreLine[];
}

export interface RestorePlan {
  /** Chains to (re)write. Declaring an existing user-defined chain in --noflush mode flushes it first, so this is a full replace. */
  chains: RestoreChain[];
  /** Jumps to insert at position 1 of the built-in chain (only the missing ones). */
  addJumps?: readonly IptChainName[];
  /** Chains to delete entirely; `hasJump` says whether its jump must be removed first. */
  deleteChains?: ReadonlyArray<{ chain: IptChainName; hasJump: boolean }>;
}

/** iptables-restore splits on blanks and honours double quotes. Validated args never contain quotes. */
export function restoreToken(arg: string): string {
  if (/["\\\n\r\0]/.test(arg)) throw new Error('refusing to render an argument with quotes, backslashes or control characters');
  return /[\s#]/.test(arg) || arg === '' ? `"${arg}"` : arg;
}

function lineBody(line: RestoreLine): string {
  if ('saved' in line) {
    if (/[\n\r\0]/.test(line.saved)) throw new Error('refusing to render a saved rule with control characters');
    return line.saved;
  }
  return line.args.map(restoreToken).join(' ');
}

/** Renders one `iptables-restore --noflush` input that only touches our chains and their jumps. */
export function renderRestore(plan: RestorePlan): string {
  const out: string[] = [];
  for (const table of IPT_TABLES) {
    const chains = plan.chains.filter((c) => IPT_CHAINS[c.chain].table === table);
    const jumps = (plan.addJumps ?? []).filter((c) => IPT_CHAINS[c].table === table);
    const deletions = (plan.deleteChains ?? []).filter((d) => IPT_CHAINS[d.chain].table === table);
    if (chains.length + jumps.length + deletions.length === 0) continue;
    out.push(`*${table}`);
    for (const { chain } of chains) out.push(`:${chain} - [0:0]`);
    for (const { chain, lines } of chains) {
      for (const line of lines) {
        const counters = line.counters ? `[${line.counters.packets}:${line.counters.bytes}] ` : '';
        out.push(`${counters}-A ${chain} ${lineBody(line)}`);
      }
    }
    for (const chain of jumps) out.push(`-I ${IPT_CHAINS[chain].builtin} 1 -j ${chain}`);
    for (const { chain, hasJump } of deletions) {
      if (hasJump) out.push(`-D ${IPT_CHAINS[chain].builtin} -j ${chain}`);
      out.push(`-F ${chain}`, `-X ${chain}`);
    }
    out.push('COMMIT');
  }
  return out.length ? `${out.join('\n')}\n` : '';
}
