import { describe, expect, it } from 'vitest';
import { selectNth, sortRange } from './select';

/** A deterministic generator so a failure can be replayed. */
function numbers(n: number, distinct: number, seed: number): number[] {
  let x = seed;
  return Array.from({ length: n }, () => {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    return x % distinct;
  });
}

describe('selectNth', () => {
  it('finds the value a full sort puts at each position, with many ties and with none', () => {
    for (const distinct of [1, 3, 50, 1_000_000]) {
      const values = numbers(5_000, distinct, distinct);
      const sorted = [...values].sort((a, b) => a - b);
      for (const k of [0, 1, 2_500, 4_998, 4_999]) {
        const work = Float64Array.from(values);
        expect(selectNth(work, k)).toBe(sorted[k]);
        const pivot = sorted[k] as number;
        expect(work.subarray(0, k).every((v) => v <= pivot)).toBe(true);
        expect(work.subarray(k + 1).every((v) => v >= pivot)).toBe(true);
      }
    }
  });

  it('selects inside a sub-range after a first selection, Infinity last', () => {
    const values = [...numbers(1_000, 40, 7), Infinity, Infinity, -3];
    const sorted = [...values].sort((a, b) => a - b);
    const work = Float64Array.from(values);
    expect(selectNth(work, 100)).toBe(sorted[100]);
    expect(selectNth(work, 1_002, 100)).toBe(Infinity);
    expect(selectNth(work, 0)).toBe(-3);
  });

  it('refuses a position outside the range', () => {
    expect(() => selectNth(new Float64Array(3), 3)).toThrow(RangeError);
  });
});

describe('sortRange', () => {
  it('puts exactly the sorted items at [start, end), in order', () => {
    const keys = numbers(3_000, 30, 11);
    const compare = (a: number, b: number) => (keys[a] as number) - (keys[b] as number) || a - b;
    const expected = keys.map((_, i) => i).sort(compare);
    for (const [start, end] of [[0, 100], [1_234, 1_534], [2_950, 3_000], [10, 11], [5, 5]] as const) {
      const items = Uint32Array.from(keys.keys());
      sortRange(items, start, end, compare);
      expect(Array.from(items.subarray(start, end))).toEqual(expected.slice(start, end));
    }
  });
});
