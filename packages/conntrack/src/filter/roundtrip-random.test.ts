import { describe, expect, it } from 'vitest';
import { parseConntrackArgs, printConntrackArgs } from './cli-args';
import { parseQuery, printQuery } from './query';
import { FilterNotExpressibleError } from './types';
import { cliShaped, prng, randomFilter } from './test-random';

describe('random filters round-trip', () => {
  it('through the query syntax (2000 filters)', () => {
    const rand = prng(42);
    for (let i = 0; i < 2000; i++) {
      const filter = randomFilter(rand);
      const text = printQuery(filter);
      expect(parseQuery(text), text).toEqual(filter);
    }
  });

  it('through conntrack arguments whenever the CLI can express them (2000 filters)', () => {
    const rand = prng(7);
    let printed = 0;
    for (let i = 0; i < 2000; i++) {
      const filter = rand() < 0.8 ? cliShaped(randomFilter(rand)) : randomFilter(rand);
      let args: string[];
      try {
        args = printConntrackArgs(filter);
      } catch (err) {
        expect(err).toBeInstanceOf(FilterNotExpressibleError);
        continue;
      }
      printed++;
      expect(parseConntrackArgs(args), args.join(' ')).toEqual(filter);
    }
    expect(printed).toBeGreaterThan(1000);
  });
});
