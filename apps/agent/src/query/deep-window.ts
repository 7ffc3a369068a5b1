import { compileRowFilter } from './row-filter';
import { selectNth, sortRange } from './select';
import { ADDRESS_COLUMNS, SORT_KEYS } from './sort-keys';
import type { ComparePartsFn, WindowInput } from './window';

/**
 * Scratch space reused by every deep window: three keys and two indexes per entry of the table. Allocating
 * megabytes per query churns the native allocator, which keeps the freed memory resident; reused, it
 * stays at 32 bytes per entry (32 MB for 1,000,000 entries), and is released when the table shrinks far.
 */
let directedKeys = new Float64Array(0);
let selectionKeys = new Float64Array(0);
let compositeKeys = new Float64Array(0);
let candidateItems = new Uint32Array(0);
let matched = new Uint32Array(0);

function scratch(n: number): void {
  if (directedKeys.length >= n && directedKeys.length <= 4 * n + 65_536) return;
  const size = n + (n >> 3);
  directedKeys = new Float64Array(size);
  selectionKeys = new Float64Array(size);
  compositeKeys = new Float64Array(size);
  candidateItems = new Uint32Array(size);
  matched = new Uint32Array(size);
}


const TWO_POW_32 = 2 ** 32;
/** Every IPv4 address key is below this; IPv6 keys are at or above it (see addressSortKey). */
const IPV6_KEYS_FROM = TWO_POW_32;

/** Deep windows: every match is collected, then only the window's positions are selected and sorted. */
export function deepRows(input: WindowInput, now: number, compareParts: ComparePartsFn): { total: number; rows: Uint32Array } {
  const { column, desc } = input.spec.sort;
  const sortKey = SORT_KEYS[column];
  const { table } = input;
  const match = compileRowFilter(input.filter, table);
  const size = table.size;
  scratch(size);
  // Directed keys: ascending order is the window's order, "missing" (NaN) last in both directions.
  // Taken in the same pass as the match: a second walk over the rows would miss the caches again.
  const directed = directedKeys;
  const rows = matched;
  let n = 0;
  for (let row = 0; row < size; row++) {
    if (!match(row)) continue;
    const k = sortKey(table, row, now);
    directed[n] = k !== k ? Infinity : desc ? -k : k;
    rows[n++] = row;
  }
  const { offset, limit } = input.spec;
  const end = Math.min(n, offset + limit);
  if (offset >= end) return { total: n, rows: new Uint32Array(0) };
  const key = (i: number) => {
    const d = directed[i] as number;
    return d === Infinity ? NaN : desc ? -d : d;
  };
  const ids = table.columns.id;
  const idOf = (i: number) => ids[rows[i] as number] as number;
  const compare = (a: number, b: number) => compareParts(key(a), idOf(a), rows[a] as number, key(b), idOf(b), rows[b] as number);
  // Equal keys are ordered by kernel id, except IPv6 addresses, which tie on their first 48 bits only.
  const idBreaksTies = ADDRESS_COLUMNS[column] ? (lo: number, hi: number) => Math.abs(lo) < IPV6_KEYS_FROM && Math.abs(hi) < IPV6_KEYS_FROM : () => true;
  const order = deepSlice(directed, n, offset, end, compare, { idOf, idBreaksTies });
  return { total: n, rows: order.map((i) => rows[i] as number) };
}

/** How the comparator orders equal keys, when it is by a 32-bit id (see narrowByRankAndId). */
export interface TieOrder {
  idOf: (item: number) => number;
  /** Whether, between these directed keys, the comparator orders equal keys by id alone. */
  idBreaksTies: (lo: number, hi: number) => boolean;
}

/**
 * Positions [offset, end) of the order of `directed[0, n)` (ascending; ties by `compare`) without
 * sorting everything: quickselect on the bare keys finds the key range the window covers; when many
 * entries share the keys at its edges (a column with few values), a second selection on (key rank, id)
 * narrows them to the window; only what is left is sorted with `compare`.
 */
export function deepSlice(directed: Float64Array, n: number, offset: number, end: number, compare: (a: number, b: number) => number, ties?: TieOrder): Uint32Array {
  const work = selectionKeys.length >= n ? selectionKeys : new Float64Array(n);
  const first = cut(directed, n, offset, end, work, (i) => i, candidateItems);
  const { lo, hi } = first;
  let { items, start, stop } = first;
  if (ties && items.length > 4 * (stop - start) + 1_024 && ties.idBreaksTies(lo, hi)) {
    const narrowed = narrowByRankAndId(directed, items, start, stop, lo === hi, ties.idOf, work);
    if (narrowed) ({ items, start, stop } = narrowed);
  }
  sortRange(items, start, stop, compare);
  return items.slice(start, stop);
}

interface Cut {
  /** The items whose keys lie between the window's first and last key, ties included. */
  items: Uint32Array;
  /** The window's positions, now counted within `items`. */
  start: number;
  stop: number;
  lo: number;
  hi: number;
}

/**
 * Selects the keys at positions `start` and `stop - 1` of the order of `keys[0, count)` (on a copy in
 * `work`) and keeps the items whose keys lie between them, in `scratch` when it is large enough.
 */
function cut(keys: Float64Array, count: number, start: number, stop: number, work: Float64Array, itemOf: (i: number) => number, scratch?: Uint32Array): Cut {
  work.set(keys.subarray(0, count));
  const lo = selectNth(work, start, 0, count);
  const hi = stop - 1 > start ? selectNth(work, stop - 1, start, count) : lo;
  let before = 0;
  let kept = 0;
  for (let i = 0; i < count; i++) {
    const k = keys[i] as number;
    if (k < lo) before++;
    else if (k <= hi) kept++;
  }
  const items = scratch && scratch.length >= kept ? scratch.subarray(0, kept) : new Uint32Array(kept);
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
 */
function narrowByRankAndId(
  directed: Float64Array,
  candidates: Uint32Array,
  start: number,
  stop: number,
  oneKey: boolean,
  idOf: (item: number) => number,
  work: Float64Array,
): Pick<Cut, 'items' | 'start' | 'stop'> | undefined {
  const count = candidates.length;
  const composite = compositeKeys.length >= count ? compositeKeys : new Float64Array(count);
  let distinct = 1;
  if (!oneKey) {
    for (let c = 0; c < count; c++) work[c] = directed[candidates[c] as number] as number;
    work.subarray(0, count).sort();
    for (let c = 1; c < count; c++) if (work[c] !== work[distinct - 1]) work[distinct++] = work[c] as number;
    if (distinct > MAX_RANKS) return undefined;
  }
  const keys = work.subarray(0, distinct);
  for (let c = 0; c < count; c++) {
    const item = candidates[c] as number;
    composite[c] = (oneKey ? 0 : rankOf(keys, directed[item] as number)) * TWO_POW_32 + idOf(item);
  }
  return cut(composite, count, start, stop, work, (c) => candidates[c] as number);
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
