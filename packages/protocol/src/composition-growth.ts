import { GROWTH_DIMENSIONS, type Composition, type GrowthDimension, type GrowthRow, type RankedList } from './composition';

/** What is known of a key's count in one summary: between `min` and `max` (equal when it was listed). */
interface Bounds {
  min: number;
  max: number;
}

const LISTS: Record<Exclude<GrowthDimension, 'netns'>, (c: Composition) => RankedList> = {
  port: (c) => c.ports,
  source: (c) => c.sources,
  destination: (c) => c.destinations,
  pair: (c) => c.pairs,
};

/** The namespaces' list is complete: a namespace missing from it had no entries. */
const netnsList = (c: Composition): RankedList => ({ top: c.byNetns.map((n) => ({ key: n.netns, count: n.entries })), rest: 0 });

const listOf = (c: Composition, dimension: GrowthDimension): RankedList => (dimension === 'netns' ? netnsList(c) : LISTS[dimension](c));

function boundsIn(list: RankedList, key: string): Bounds {
  const found = list.top.find((k) => k.key === key);
  return found ? { min: found.count, max: found.count } : { min: 0, max: list.rest };
}

/** A key's count in a summary, or null when the key fell below that summary's cut-off (unknown, at most `rest`). */
export function compositionCount(c: Composition, dimension: GrowthDimension, key: string): number | null {
  const list = listOf(c, dimension);
  const found = list.top.find((k) => k.key === key);
  if (found) return found.count;
  return list.rest === 0 ? 0 : null;
}

/**
 * The keys that added entries between two summaries, most first. A key is ranked by what it surely
 * added (its count at `to` minus the most it can have had at `from`); `upTo` is the most it can have
 * added. Keys missing from `to`'s lists are not ranked: nothing says they grew.
 */
export function compositionGrowth(from: Composition, to: Composition, limit: number, dimensions: readonly GrowthDimension[] = ['port', 'source', 'destination', 'pair', 'netns']): Omit<GrowthRow, 'series'>[] {
  const rows: Omit<GrowthRow, 'series'>[] = [];
  for (const dimension of dimensions) {
    const before = listOf(from, dimension);
    const names = dimension === 'netns' ? new Map(to.byNetns.map((n) => [n.netns, n.source === 'host' ? 'host' : `${n.source} ${n.name}`])) : null;
    for (const { key, count } of listOf(to, dimension).top) {
      const then = boundsIn(before, key);
      const added = count - then.max;
      if (added <= 0) continue;
      const upTo = count - then.min;
      rows.push({ dimension, key, label: names?.get(key) ?? key, added, upTo, exact: added === upTo });
    }
  }
  // Ties (one flood counts alike in its port, source and pair) go to the narrower dimension first.
  const order = (r: { dimension: GrowthDimension }) => GROWTH_DIMENSIONS.indexOf(r.dimension);
  rows.sort((a, b) => b.added - a.added || b.upTo - a.upTo || order(a) - order(b) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return rows.slice(0, limit);
}

const DIMENSION_WORD: Record<GrowthDimension, string> = { port: 'dport', source: 'src', destination: 'dst', pair: 'pair', netns: 'netns' };

/** "dport udp/53 +41,200", with "≥" when the number is a lower bound. */
export function describeGrowth(row: Pick<GrowthRow, 'dimension' | 'label' | 'added' | 'exact'>): string {
  const n = row.added.toLocaleString('en-US');
  return `${row.dimension === 'netns' ? row.label : `${DIMENSION_WORD[row.dimension]} ${row.label}`} ${row.exact ? '+' : '≥+'}${n}`;
}
