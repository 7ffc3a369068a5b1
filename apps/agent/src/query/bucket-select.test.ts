import { describe, expect, it } from 'vitest';
import { bucketCut } from './bucket-select';

/** A deterministic generator so a failure can be replayed. */
function generator(seed: number): () => number {
  let x = seed;
  return () => (x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32;
}

/** What a full sort says: the keys at positions [start, stop) must all be among the kept ones. */
function check(keys: number[], start: number, stop: number): void {
  const input = Float64Array.from(keys);
  const outItems = new Uint32Array(keys.length);
  const outKeys = new Float64Array(keys.length);
  const cut = bucketCut(input, null, keys.length, start, stop, outItems, outKeys);
  const sorted = [...keys].sort((a, b) => a - b);
  const kept = Array.from(outItems.subarray(0, cut.kept), (i) => keys[i] as number).sort((a, b) => a - b);
  // The kept items are exactly those of a contiguous run of the sorted order that holds the window.
  const before = cut.kept === 0 ? 0 : start - cut.start;
  expect(kept).toEqual(sorted.slice(before, before + cut.kept));
  expect(cut.stop - cut.start).toBe(stop - start);
  expect(cut.start).toBeGreaterThanOrEqual(0);
  expect(cut.stop).toBeLessThanOrEqual(cut.kept);
  // Keys are written out unless they are all the same (nothing left to select on by key).
  if (cut.lo < cut.hi) expect(Array.from(outKeys.subarray(0, cut.kept), (k) => k).sort((a, b) => a - b)).toEqual(kept);
  if (cut.kept > 0) {
    expect(cut.lo).toBe(kept[0]);
    expect(cut.hi).toBe(kept[kept.length - 1]);
  }
}

describe('bucketCut', () => {
  it('keeps a run of the sorted order that holds the window, for spread keys, ties and missing values', () => {
    const rand = generator(3);
    for (const distinct of [1, 2, 7, 1_000, 1e9]) {
      const keys = Array.from({ length: 20_000 }, () => (rand() < 0.1 ? Infinity : Math.floor(rand() * distinct) - distinct / 2));
      for (const [start, stop] of [[0, 100], [9_950, 10_050], [19_900, 20_000], [17_999, 18_001], [0, 20_000]] as const) check(keys, start, stop);
    }
  });

  it('narrows spread keys to a few buckets', () => {
    const rand = generator(5);
    const keys = Float64Array.from({ length: 100_000 }, () => rand() * 1e6);
    const cut = bucketCut(keys, null, keys.length, 50_000, 50_100, new Uint32Array(keys.length), new Float64Array(keys.length));
    expect(cut.kept).toBeLessThan(1_000);
  });

  it('keeps the window for keys spread over many orders of magnitude, and negative zeros', () => {
    const keys = Array.from({ length: 5_000 }, (_, i) => (i % 3 === 0 ? -0 : i % 3 === 1 ? 2 ** (i % 900) : -(2 ** (i % 700))));
    for (const [start, stop] of [[0, 50], [1_600, 1_700], [3_333, 3_334], [4_950, 5_000]] as const) check(keys, start, stop);
  });

  it('narrows in place, reading items through a list', () => {
    const keys = Float64Array.from([5, 1, 4, 1, 3, 9, 2, 6]);
    const items = Uint32Array.from([10, 11, 12, 13, 14, 15, 16, 17]);
    const cut = bucketCut(keys, items, 8, 2, 4, items, keys);
    const kept = Array.from(items.subarray(0, cut.kept)).sort((a, b) => a - b);
    // Sorted: 1 1 2 3 4 5 6 9; positions 2 and 3 hold 2 (item 16) and 3 (item 14).
    expect(kept).toEqual(expect.arrayContaining([14, 16]));
    expect(cut.kept).toBe(2);
    expect(cut.start).toBe(0);
  });
});
