import { bucketCut } from './bucket-select';
import { byteKeyRows, byteKeys } from './byte-key-window';
import { compileRowSelection } from './row-selection';
import { selectNth, sortRange } from './select';
import { fillDirectedKeys } from './sort-key-fill';
import { ADDRESS_COLUMNS } from './sort-keys';
import type { ComparePartsFn, WindowInput } from './window';

/**
 * Scratch space reused by every window: the matching rows, their directed keys, and the candidates a
 * selection keeps (item and key), 24 bytes per entry of the table (24 MB for 1,000,000 entries).
 * Allocating megabytes per query churns the native allocator, which keeps the freed memory resident;
 * reused, it stays put, and is released when the table shrinks far.
 */
let matched = new Uint32Array(0);
let directedKeys = new Float64Array(0);
let candidateItems = new Uint32Array(0);
let candidateKeys = new Float64Array(0);

function scratch(n: number): void {
  if (matched.length >= n && matched.length <= 4 * n + 65_536) return;
  const size = n + (n >> 3);
  matched = new Uint32Array(size);
  directedKeys = new Float64Array(size);
  candidateItems = new Uint32Array(size);
  candidateKeys = new Float64Array(size);
}

const TWO_POW_32 = 2 ** 32;
/** Every IPv4 address key is below this; IPv6 keys are at or above it (see addressSortKey). */
const IPV6_KEYS_FROM = TWO_POW_32;

/**
 * Every match is listed (condition by condition, see compileRowSelection), its sort key read in a loop
 * of its own (fillDirectedKeys), then only the window's positions are selected and sorted.
 */
export function deepRows(input: WindowInput, now: number, compareParts: ComparePartsFn): { total: number; rows: Uint32Array } {
  const { column, desc } = input.spec.sort;
  const { table } = input;
  scratch(table.size);
  // Without a condition every row matches: item i is row i, and no list of rows is written or read.
  const selection = compileRowSelection(input.filter, table);
  const rows = selection.everyRow ? null : matched;
  const n = rows === null ? table.size : selection(rows);
  const { offset, limit } = input.spec;
  const end = Math.min(n, offset + limit);
  if (offset >= end) return { total: n, rows: new Uint32Array(0) };
  const ids = table.columns.id;
  const bytes = byteKeys(column, desc, table);
  const byCounting = bytes && byteKeyRows(bytes, ids, rows, n, offset, end, compareParts);
  if (byCounting) return { total: n, rows: byCounting };
  // Directed keys: ascending order is the window's order, "missing" (Infinity) last in both directions.
  const directed = directedKeys;
  fillDirectedKeys(column, desc, table, rows, n, now, directed);
  const key = (i: number) => {
    const d = directed[i] as number;
    return d === Infinity ? NaN : desc ? -d : d;
  };
  const rowOf = (i: number) => (rows === null ? i : (rows[i] as number));
  const compare = (a: number, b: number) => {
    const ra = rowOf(a);
    const rb = rowOf(b);
    return compareParts(key(a), ids[ra] as number, ra, key(b), ids[rb] as number, rb);
  };
  // Equal keys are ordered by kernel id, except IPv6 addresses, which tie on their first 48 bits only.
  const idBreaksTies = ADDRESS_COLUMNS[column] ? (lo: number, hi: number) => Math.abs(lo) < IPV6_KEYS_FROM && Math.abs(hi) < IPV6_KEYS_FROM : () => true;
  const order = deepSlice(directed, n, offset, end, compare, { rows, ids, idBreaksTies });
  return { total: n, rows: rows === null ? order : order.map((i) => rows[i] as number) };
}

/** How the comparator orders equal keys, when it is by a 32-bit id (see narrowByRankAndId). */
export interface TieOrder {
  /** Item i's id is `ids[rows[i]]`, or `ids[i]` when `rows` is null. */
  rows: Uint32Array | null;
  ids: Uint32Array;
  /** Whether, between these directed keys, the comparator orders equal keys by id alone. */
  idBreaksTies: (lo: number, hi: number) => boolean;
}

/**
 * Positions [offset, end) of the order of `directed[0, n)` (ascending; ties by `compare`) without
 * sorting everything: bucket selection on the bare keys finds the items whose keys the window can
 * cover; when many entries share the keys at its edges (a column with few values), a second selection
 * on (key rank, id) narrows them to the window; only what is left is sorted with `compare`.
 */
export function deepSlice(directed: Float64Array, n: number, offset: number, end: number, compare: (a: number, b: number) => number, ties?: TieOrder): Uint32Array {
  const outItems = candidateItems.length >= n ? candidateItems : new Uint32Array(n);
  const outKeys = candidateKeys.length >= n ? candidateKeys : new Float64Array(n);
  let narrowed = narrow(directed, null, n, offset, end, outItems, outKeys);
  if (ties && !smallEnough(narrowed) && ties.idBreaksTies(narrowed.lo, narrowed.hi)) {
    const byId = narrowByRankAndId(directed, narrowed, ties, outKeys);
    if (byId) narrowed = byId;
  }
  const { items, start, stop } = narrowed;
  sortRange(items, start, stop, compare);
  return items.slice(start, stop);
}

interface Cut {
  /** The items whose keys the window can cover, ties included. */
  items: Uint32Array;
  /** The window's positions, now counted within `items`. */
  start: number;
  stop: number;
  /** The smallest and largest key among `items`. */
  lo: number;
  hi: number;
}

/** Few enough candidates left to sort the window's positions out of them with the comparator. */
const smallEnough = (c: Cut) => c.items.length <= 4 * (c.stop - c.start) + 1_024;

/** Bucket rounds a selection takes at most before it settles for quickselect (keys spread very unevenly). */
const BUCKET_ROUNDS = 4;

/**
 * Narrows positions [start, stop) of the order of `keys[0, count)` to the items whose keys can hold them
 * (`items[i]`, or `i` when `items` is null): rounds of bucketCut while they make progress and the keys
 * left differ, then, if still too many differ, quickselect on the keys at the window's two ends.
 */
function narrow(keys: Float64Array, items: Uint32Array | null, count: number, start: number, stop: number, outItems: Uint32Array, outKeys: Float64Array): Cut {
  let cut = bucketCut(keys, items, count, start, stop, outItems, outKeys);
  let c: Cut = { items: outItems.subarray(0, cut.kept), start: cut.start, stop: cut.stop, lo: cut.lo, hi: cut.hi };
  for (let round = 1; round < BUCKET_ROUNDS && !smallEnough(c) && c.lo < c.hi; round++) {
    cut = bucketCut(outKeys, outItems, c.items.length, c.start, c.stop, outItems, outKeys);
    const progress = cut.kept < c.items.length;
    c = { items: outItems.subarray(0, cut.kept), start: cut.start, stop: cut.stop, lo: cut.lo, hi: cut.hi };
    if (!progress) break;
  }
  if (smallEnough(c) || c.lo === c.hi) return c;
  const left = c.items;
  return quickCut(outKeys.subarray(0, left.length), left.length, c.start, c.stop, (i) => left[i] as number);
}

/**
 * Selects the keys at positions `start` and `stop - 1` of the order of `keys[0, count)` (on a copy)
 * and keeps the items whose keys lie between them.
 */
function quickCut(keys: Float64Array, count: number, start: number, stop: number, itemOf: (i: number) => number): Cut {
  const work = Float64Array.from(keys.subarray(0, count));
  const lo = selectNth(work, start, 0, count);
  const hi = stop - 1 > start ? selectNth(work, stop - 1, start, count) : lo;
  let before = 0;
  let kept = 0;
  for (let i = 0; i < count; i++) {
    const k = keys[i] as number;
    if (k < lo) before++;
    else if (k <= hi) kept++;
  }
  const items = new Uint32Array(kept);
  for (let i = 0, j = 0; i < count; i++) {
    const k = keys[i] as number;
    if (k >= lo && k <= hi) items[j++] = itemOf(i);
  }
  return { items, start: start - before, stop: stop - before, lo, hi };
}

/** Ranks fit in 21 bits so that rank · 2^32 + id stays an exact double. */
const MAX_RANKS = 2 ** 21;

/**
 * Among candidates whose keys span few values, the window's positions [start, stop) are found by
 * selecting on one exact number per candidate: the rank of its key among the candidates' distinct keys,
 * times 2^32, plus its id. What is left are the window's candidates and those tying with them on both.
 * `composite` is scratch space at least as long as the candidates.
 */
function narrowByRankAndId(directed: Float64Array, cut: Cut, { rows, ids }: TieOrder, composite: Float64Array): Cut | undefined {
  const { items: candidates, start, stop } = cut;
  const count = candidates.length;
  const oneKey = cut.lo === cut.hi;
  let keys = new Float64Array(1);
  if (!oneKey) {
    const work = new Float64Array(count);
    for (let c = 0; c < count; c++) work[c] = directed[candidates[c] as number] as number;
    work.sort();
    let distinct = 1;
    for (let c = 1; c < count; c++) if (work[c] !== work[distinct - 1]) work[distinct++] = work[c] as number;
    if (distinct > MAX_RANKS) return undefined;
    keys = work.subarray(0, distinct);
  }
  if (oneKey) {
    if (rows === null) for (let c = 0; c < count; c++) composite[c] = ids[candidates[c] as number] as number;
    else for (let c = 0; c < count; c++) composite[c] = ids[rows[candidates[c] as number] as number] as number;
  } else {
    for (let c = 0; c < count; c++) {
      const item = candidates[c] as number;
      const row = rows === null ? item : (rows[item] as number);
      composite[c] = rankOf(keys, directed[item] as number) * TWO_POW_32 + (ids[row] as number);
    }
  }
  // The candidates are narrowed in place: bucketCut writes item i no later than it reads it.
  return narrow(composite, candidates, count, start, stop, candidates, composite);
}

/** Position of `key` in the ascending, duplicate-free `keys` (it is there). */
function rankOf(keys: Float64Array, key: number): number {
  let lo = 0;
  let hi = keys.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((keys[mid] as number) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
