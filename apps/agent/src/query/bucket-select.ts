/**
 * Bucket selection: which items can hold positions [start, stop) of the ascending order of their keys,
 * found without comparing keys to each other. One pass takes the keys' range, one counts them into
 * 4,096 equal-width buckets of that range, one keeps the items of the buckets the positions fall in:
 * three loops over a typed array, linear whatever the keys, with no swaps and no calls per item. The
 * counts fit in the first-level cache (16 KB), which counts landing at random need more than a finer cut:
 * a million spread keys leave a few hundred candidates, and a second round narrows clustered ones.
 */
const BUCKETS = 4_096;
/** Counts per bucket, the last one for Infinity ("no value", sorted last). */
const counts = new Uint32Array(BUCKETS + 1);

export interface BucketCut {
  /** How many items were kept (written to the front of the output arrays). */
  kept: number;
  /** The positions, now counted within the kept items. */
  start: number;
  stop: number;
  /** The smallest and largest key kept. */
  lo: number;
  hi: number;
}

/**
 * Narrows positions [start, stop) of the order of `keys[0, count)` (no NaN; Infinity allowed) to the
 * items of the buckets they fall in: writes those items (`items[i]`, or `i` when `items` is null) and
 * their keys to the front of `outItems` and `outKeys`, which may be `items` and `keys` themselves.
 * When every key is the same present value (then `lo === hi`), every item is kept and `outKeys` is left
 * as it was: there is nothing left to select on by key.
 */
export function bucketCut(keys: Float64Array, items: Uint32Array | null, count: number, start: number, stop: number, outItems: Uint32Array, outKeys: Float64Array): BucketCut {
  let min = Infinity;
  let max = -Infinity;
  let missing = 0;
  for (let i = 0; i < count; i++) {
    const k = keys[i] as number;
    if (k < min) min = k;
    if (k === Infinity) missing++;
    else if (k > max) max = k;
  }
  // Monotonic in k (subtraction, scaling and truncation all keep order), so buckets never invert keys.
  const scale = max > min ? (BUCKETS - 1) / (max - min) : 0;
  if (missing === 0 && max === min) return keepAll(items, count, start, stop, outItems, min);
  const top = BUCKETS - 1;
  counts.fill(0);
  for (let i = 0; i < count; i++) {
    const k = keys[i] as number;
    const b = k === Infinity ? BUCKETS : Math.min(top, ((k - min) * scale) | 0);
    counts[b] = (counts[b] as number) + 1;
  }
  let before = 0;
  let from = 0;
  while (before + (counts[from] as number) <= start) before += counts[from++] as number;
  let to = from;
  let through = before + (counts[from] as number);
  while (through < stop) through += counts[++to] as number;
  let kept = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < count; i++) {
    const k = keys[i] as number;
    const b = k === Infinity ? BUCKETS : Math.min(top, ((k - min) * scale) | 0);
    if (b < from || b > to) continue;
    if (k < lo) lo = k;
    if (k > hi) hi = k;
    outItems[kept] = items === null ? i : (items[i] as number);
    outKeys[kept++] = k;
  }
  return { kept, start: start - before, stop: stop - before, lo, hi };
}

/** Every key is the same (and present): every item is kept. */
function keepAll(items: Uint32Array | null, count: number, start: number, stop: number, outItems: Uint32Array, key: number): BucketCut {
  if (items === null) for (let i = 0; i < count; i++) outItems[i] = i;
  else if (items !== outItems) outItems.set(items.subarray(0, count));
  return { kept: count, start, stop, lo: key, hi: key };
}
