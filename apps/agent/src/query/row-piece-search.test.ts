import { prng } from '@ctscope/conntrack/testing';
import { describe, expect, it } from 'vitest';
import { digitsContain } from './row-piece-search';

describe('digitsContain', () => {
  it('finds a run of digits in a 32-bit number exactly where its decimal text holds it', () => {
    const rand = prng(42);
    const edges = [0, 5, 9, 10, 99, 100, 105, 999, 1_000, 1_005, 10_500, 99_999, 100_000, 999_999, 1_000_000, 1_050_000, 999_999_999, 1_000_000_000, 4_294_967_295, 4_294_967_000, 2 ** 31, 2 ** 31 - 1];
    const values = [...edges, ...Array.from({ length: 4_000 }, () => Math.floor(rand() * 2 ** 32)), ...Array.from({ length: 1_000 }, () => Math.floor(rand() * 100_000))];
    const terms = new Set(['0', '00', '05', '000', '0000', '00000', '00500', '10500', '0000000000', '4294967295', '42949672950', '1', '99999', '123456']);
    for (let i = 0; i < 300; i++) {
      const text = String(values[Math.floor(rand() * values.length)]);
      const from = Math.floor(rand() * text.length);
      terms.add(text.slice(from, from + 1 + Math.floor(rand() * (text.length - from))));
    }
    const column = new Uint32Array(values);
    for (const term of terms) {
      const holds = digitsContain(term);
      const got = values.filter((_, row) => holds(column, row));
      const wanted = values.filter((v) => String(v).includes(term));
      expect({ term, got }).toEqual({ term, got: wanted });
    }
  });
});
