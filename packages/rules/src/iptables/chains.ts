/** Our own chains, each jumped to from one built-in chain by a single jump rule (added once). */
export const IPT_CHAINS = {
  'CTSCOPE-RAW-PRE': { table: 'raw', builtin: 'PREROUTING' },
  'CTSCOPE-RAW-OUT': { table: 'raw', builtin: 'OUTPUT' },
  'CTSCOPE-FILTER-IN': { table: 'filter', builtin: 'INPUT' },
  'CTSCOPE-FILTER-FWD': { table: 'filter', builtin: 'FORWARD' },
  'CTSCOPE-FILTER-OUT': { table: 'filter', builtin: 'OUTPUT' },
} as const;
export type IptChainName = keyof typeof IPT_CHAINS;
export type IptTable = 'raw' | 'filter';
export const IPT_TABLES: readonly IptTable[] = ['raw', 'filter'];

export function isOwnChain(name: string): name is IptChainName {
  return Object.hasOwn(IPT_CHAINS, name);
}

export function iptFilterChain(chain: 'input' | 'forward' | 'output'): IptChainName {
  return chain === 'input' ? 'CTSCOPE-FILTER-IN' : chain === 'forward' ? 'CTSCOPE-FILTER-FWD' : 'CTSCOPE-FILTER-OUT';
}

/** The jump we insert at the top of the built-in chain (position 1, so our rules run first). */
export function jumpArgs(chain: IptChainName): string[] {
  return ['-j', chain];
}
