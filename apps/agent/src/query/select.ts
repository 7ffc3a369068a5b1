/**
 * Selection (quickselect) instead of sorting: a deep window needs the rows at positions
 * [offset, offset + limit) of the order, not the whole order. Expected O(n); a random pivot keeps
 * crafted inputs from forcing the quadratic case, and three-way partitioning keeps long runs of equal
 * keys (ports, states, protocols) linear.
 */

/**
 * Rearranges `a[from, to)` so that `a[k]` holds the value the k-th position would hold if that range
 * were sorted ascending, smaller-or-equal values before it and greater-or-equal after it. Returns that
 * value. Values must not be NaN (map "missing" to Infinity first).
 */
export function selectNth(a: Float64Array, k: number, from = 0, to = a.length): number {
  if (k < from || k >= to) throw new RangeError(`selectNth: position ${k} is outside [${from}, ${to})`);
  let lo = from;
  let hi = to - 1;
  while (lo < hi) {
    const pivot = a[lo + Math.floor(Math.random() * (hi - lo + 1))] as number;
    // [lo, lt) < pivot, [lt, i) == pivot, (gt, hi] > pivot
    let lt = lo;
    let i = lo;
    let gt = hi;
    while (i <= gt) {
      const v = a[i] as number;
      if (v < pivot) {
        a[i++] = a[lt] as number;
        a[lt++] = v;
      } else if (v > pivot) {
        a[i] = a[gt] as number;
        a[gt--] = v;
      } else i++;
    }
    if (k < lt) hi = lt - 1;
    else if (k > gt) lo = gt + 1;
    else return pivot;
  }
  return a[k] as number;
}

/**
 * Rearranges the index array so that positions [start, end) hold, in order, the items a full sort by
 * `compare` would put there. Only those positions are sorted; the rest is partitioned around them.
 */
export function sortRange(items: Uint32Array, start: number, end: number, compare: (a: number, b: number) => number): void {
  if (start >= end) return;
  selectIndex(items, start, 0, items.length, compare);
  if (end - 1 > start) selectIndex(items, end - 1, start, items.length, compare);
  items.subarray(start, end).sort(compare);
}

/** selectNth for an index array ordered by a comparator. */
function selectIndex(items: Uint32Array, k: number, from: number, to: number, compare: (a: number, b: number) => number): void {
  let lo = from;
  let hi = to - 1;
  while (lo < hi) {
    const pivot = items[lo + Math.floor(Math.random() * (hi - lo + 1))] as number;
    let lt = lo;
    let i = lo;
    let gt = hi;
    while (i <= gt) {
      const v = items[i] as number;
      const c = compare(v, pivot);
      if (c < 0) {
        items[i++] = items[lt] as number;
        items[lt++] = v;
      } else if (c > 0) {
        items[i] = items[gt] as number;
        items[gt--] = v;
      } else i++;
    }
    if (k < lt) hi = lt - 1;
    else if (k > gt) lo = gt + 1;
    else return;
  }
}
