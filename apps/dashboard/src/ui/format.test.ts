import { describe, expect, it } from 'vitest';
import { formatCount, groupDigits } from './format';

describe('groupDigits', () => {
  const samples = [
    0, -0, 1, 7, 12, 999, 1000, 1001, 12_345, 999_999, 1_000_000, 262_144, 1_048_576, 2 ** 31, 2 ** 32 + 5, 9_007_199_254_740_000,
    0.5, 1.25, 1.0005, 2.9999, 1234.5678, 999.9995, 0.0004, 0.0005, 12.3456, -1, -1234.5, -0.0001, 1e-7, 123_456_789.123,
  ];

  it('writes what Intl.NumberFormat en-US writes, at the default and at one fraction digit', () => {
    for (const digits of [3, 1, 0]) {
      const intl = new Intl.NumberFormat('en-US', { maximumFractionDigits: digits });
      for (const n of samples) expect(groupDigits(n, digits), `${n} with ${digits}`).toBe(intl.format(n));
    }
  });

  it('agrees with Intl on random integers and fractions', () => {
    const intl = new Intl.NumberFormat('en-US');
    let seed = 42;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 2000; i++) {
      const n = i % 2 ? Math.floor(next() * 10 ** (1 + (i % 15))) : (next() - 0.5) * 10 ** (i % 9);
      expect(groupDigits(n)).toBe(intl.format(n));
    }
  });

  it('writes numbers past 2^53 and non-finite values as Intl does', () => {
    const intl = new Intl.NumberFormat('en-US');
    for (const n of [2 ** 60, 1e21, -1e25, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) expect(groupDigits(n)).toBe(intl.format(n));
  });

  it('is what formatCount uses', () => {
    expect(formatCount(1_234_567)).toBe('1,234,567');
  });
});
