import { NFT_FAMILY, NFT_TABLE } from '../nft/table';

/** A filter chain that matches on conntrack state, and whether it lets untracked packets through. */
export interface StatefulChain {
  syntax: 'nft' | 'iptables';
  table: string;
  chain: string;
  /** nft hook or iptables built-in chain name in lower case (input, forward, output, ...), when known. */
  hook: string | null;
  policy: string | null;
  hasUntrackedAccept: boolean;
  /** The chain drops or rejects somewhere (policy or rule). */
  drops: boolean;
}

/** Finds stateful chains in `nft list ruleset` text, skipping our own table (its accept is not final). */
export function statefulNftChains(ruleset: string): StatefulChain[] {
  const out: StatefulChain[] = [];
  let table = '';
  let chain: { name: string; lines: string[] } | null = null;
  let depth = 0;
  for (const raw of ruleset.split('\n')) {
    const line = raw.trim();
    const tableMatch = /^table (\S+) (\S+) \{$/.exec(line);
    if (depth === 0 && tableMatch) table = `${tableMatch[1]} ${tableMatch[2]}`;
    const chainMatch = /^chain (\S+) \{$/.exec(line);
    if (depth === 1 && chainMatch) chain = { name: chainMatch[1] ?? '', lines: [] };
    else if (chain && depth === 2 && line !== '}') chain.lines.push(line);
    depth += (line.match(/{/g) ?? []).length - (line.match(/}/g) ?? []).length;
    if (chain && depth === 1) {
      if (table !== `${NFT_FAMILY} ${NFT_TABLE}`) {
        const body = chain.lines;
        const stateful = body.some((l) => /\bct state\b/.test(l));
        if (stateful) {
          const hook = /hook (\S+)/.exec(body.join(' '))?.[1] ?? null;
          const policy = /policy (\w+)/.exec(body.join(' '))?.[1] ?? null;
          out.push({
            syntax: 'nft',
            table,
            chain: chain.name,
            hook,
            policy,
            hasUntrackedAccept: body.some((l) => /\bct state\b[^#]*\buntracked\b/.test(l) && /\baccept\b/.test(l) && !/\bct state != /.test(l)),
            drops: policy === 'drop' || body.some((l) => /\b(drop|reject)\b/.test(l) && !/policy/.test(l)),
          });
        }
      }
      chain = null;
    }
  }
  return out;
}

/** Finds stateful chains in `iptables-save` text (one family). A built-in chain jumping to a chain with an untracked accept counts as covered. */
export function statefulIptablesChains(save: string): StatefulChain[] {
  type Chain = { table: string; name: string; policy: string | null; rules: string[] };
  const chains = new Map<string, Chain>();
  let table = '';
  for (const line of save.split('\n')) {
    if (line.startsWith('*')) table = line.slice(1).trim();
    const decl = /^:(\S+) (\S+)/.exec(line);
    if (decl) chains.set(`${table} ${decl[1]}`, { table, name: decl[1] ?? '', policy: decl[2] === '-' ? null : (decl[2] ?? null), rules: [] });
    const rule = /^(?:\[\d+:\d+\] )?-A (\S+) (.*)$/.exec(line);
    if (rule) chains.get(`${table} ${rule[1]}`)?.rules.push(rule[2] ?? '');
  }
  const acceptsUntracked = (rules: string[]) => rules.some((r) => /--(ct)?state \S*UNTRACKED/.test(r) && /-j ACCEPT\b/.test(r) && !/! --(ct)?state/.test(r));
  const out: StatefulChain[] = [];
  for (const c of chains.values()) {
    if (c.table !== 'filter' || !c.rules.some((r) => /--(ct)?state /.test(r))) continue;
    const jumpedCovered = c.rules.some((r) => {
      const target = /-j (\S+)$/.exec(r)?.[1];
      const jumped = target ? chains.get(`${c.table} ${target}`) : undefined;
      return jumped ? acceptsUntracked(jumped.rules) : false;
    });
    out.push({
      syntax: 'iptables',
      table: c.table,
      chain: c.name,
      hook: c.policy ? c.name.toLowerCase() : null,
      policy: c.policy ? c.policy.toLowerCase() : null,
      hasUntrackedAccept: acceptsUntracked(c.rules) || jumpedCovered,
      drops: c.policy === 'DROP' || c.rules.some((r) => /-j (DROP|REJECT)\b/.test(r)),
    });
  }
  return out;
}

/** Picks the parser by the text's shape: iptables-save has `*table` / `-A` lines, nft has `table ... {`. */
export function statefulChains(rulesetText: string): StatefulChain[] {
  return /^\*\w+$/m.test(rulesetText) ? statefulIptablesChains(rulesetText) : statefulNftChains(rulesetText);
}
