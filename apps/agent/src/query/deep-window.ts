import type { MirrorEntry } from '../mirror/mirror';
import { selectNth, sortRange } from './select';
import { SORT_KEYS } from './sort-keys';
import type { ComparePartsFn, WindowInput } from './window';

/**
 * Scratch space reused by every deep window: two keys per match. Allocating megabytes per query churns
 * the native allocator, which keeps the freed memory resident; reused, it stays at 16 bytes times the
 * largest match count seen (4 MB for 250,000 matches), and is released when far larger than needed.
 */
let directedKeys = new Float64Array(0);
let selectionKeys = new Float64Array(0);
const matched: MirrorEntry[] = [];

function scratch(n: number): void {
  if (directedKeys.length >= n && directedKeys.length <= 4 * n + 65_536) return;
  directedKeys = new Float64Array(n + (n >> 3));
  selectionKeys = new Float64Array(directedKeys.length);
}

/** Deep windows: every match is collected, then only the window's positions are selected and sorted. */
export function deepRows(input: WindowInput, now: number, compareParts: ComparePartsFn): { total: number; entries: MirrorEntry[] } {
  const sortKey = SORT_KEYS[input.spec.sort.column];
  const { desc } = input.spec.sort;
  let n = 0;
  for (const entry of input.entries) if (input.match(entry.flow)) matched[n++] = entry;
  try {
    const { offset, limit } = input.spec;
    const end = Math.min(n, offset + limit);
    if (offset >= end) return { total: n, entries: [] };
    scratch(n);
    // Directed keys: ascending order is the window's order, "missing" (NaN) last in both directions.
    const directed = directedKeys;
    for (let i = 0; i < n; i++) {
      const k = sortKey(matched[i] as MirrorEntry, now);
      directed[i] = k !== k ? Infinity : desc ? -k : k;
    }
    const key = (i: number) => {
      const d = directed[i] as number;
      return d === Infinity ? NaN : desc ? -d : d;
    };
    const compare = (a: number, b: number) => {
      const ea = matched[a] as MirrorEntry;
      const eb = matched[b] as MirrorEntry;
      return compareParts(key(a), ea.flow.id ?? 0, ea, key(b), eb.flow.id ?? 0, eb);
    };
    const order = deepSlice(directed, n, offset, end, compare);
    return { total: n, entries: Array.from(order, (i) => matched[i] as MirrorEntry) };
  } finally {
    matched.fill(undefined as unknown as MirrorEntry, 0, n); // hold no entry past the query
  }
}

/**
 * Positions [offset, end) of the order of `directed[0, n)` (ascending; ties by `compare`) without
 * sorting everything: quickselect on the bare keys finds the key range the window covers, and among the
 * entries in that range (ties included) only the window's positions are selected and sorted.
 */
export function deepSlice(directed: Float64Array, n: number, offset: number, end: number, compare: (a: number, b: number) => number): Uint32Array {
  const work = selectionKeys.length >= n ? selectionKeys : new Float64Array(n);
  work.set(directed.subarray(0, n));
  const lo = selectNth(work, offset, 0, n);
  const hi = end - 1 > offset ? selectNth(work, end - 1, offset, n) : lo;
  let before = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const k = directed[i] as number;
    if (k < lo) before++;
    else if (k <= hi) count++;
  }
  const candidates = new Uint32Array(count);
  for (let i = 0, c = 0; i < n; i++) {
    const k = directed[i] as number;
    if (k >= lo && k <= hi) candidates[c++] = i;
  }
  sortRange(candidates, offset - before, end - before, compare);
  return candidates.slice(offset - before, end - before);
}
