import { NFT_FAMILY, NFT_TABLE } from './nft/table';

/** `nft list ruleset` text without our own table: what belongs to the user. */
export function foreignNftRuleset(ruleset: string): string {
  const lines = ruleset.split('\n');
  const out: string[] = [];
  let depth = 0;
  let skipping = false;
  for (const line of lines) {
    if (!skipping && depth === 0 && line.trim() === `table ${NFT_FAMILY} ${NFT_TABLE} {`) skipping = true;
    const opens = (line.match(/{/g) ?? []).length;
    const closes = (line.match(/}/g) ?? []).length;
    if (!skipping) out.push(line);
    depth += opens - closes;
    if (skipping && depth === 0) skipping = false;
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

/**
 * `iptables-save` text without our chains, their rules and the jumps to them, without the dated
 * comment lines and with chain-policy counters zeroed: what belongs to the user, comparable over time.
 */
export function foreignIptablesSave(save: string): string {
  return save
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .filter((l) => !/^:CTSCOPE-/.test(l))
    .filter((l) => !/^(\[\d+:\d+\] )?-A CTSCOPE-/.test(l))
    .filter((l) => !/^(\[\d+:\d+\] )?-A [A-Z]+ -j CTSCOPE-[A-Z-]+$/.test(l))
    .map((l) => l.replace(/^(:\S+ \S+) \[\d+:\d+\]$/, '$1 [0:0]').replace(/^\[\d+:\d+\] /, ''))
    .join('\n')
    .trim();
}
