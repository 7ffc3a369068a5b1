/** Our own nftables table; we never add to, reorder or flush anyone else's. */
export const NFT_FAMILY = 'inet';
export const NFT_TABLE = 'ctscope';

/**
 * Base chains we create on demand. NOTRACK must run before conntrack (priority -200), hence
 * `raw` (-300). The filter chains use `filter` (0). Note: in nftables an `accept` ends evaluation of
 * this base chain only; a chain of another table on the same hook can still drop the packet. A
 * `drop`/`reject` is final everywhere.
 */
export const NFT_CHAINS = {
  raw_prerouting: 'type filter hook prerouting priority raw; policy accept;',
  raw_output: 'type filter hook output priority raw; policy accept;',
  filter_input: 'type filter hook input priority filter; policy accept;',
  filter_forward: 'type filter hook forward priority filter; policy accept;',
  filter_output: 'type filter hook output priority filter; policy accept;',
} as const;
export type NftChainName = keyof typeof NFT_CHAINS;

export function filterChainName(chain: 'input' | 'forward' | 'output'): NftChainName {
  return `filter_${chain}`;
}
