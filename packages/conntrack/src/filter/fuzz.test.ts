import { describe, expect, it } from 'vitest';
import { parseConntrackArgs, printConntrackArgs } from './cli-args';
import { parseQuery, printQuery } from './query';
import { prng } from './test-random';
import { FilterArgsError, FilterNotExpressibleError, FilterSyntaxError } from './types';

const WORDS = ['tcp', 'udp', 'icmp', 'ipv6', 'src:', 'dst:', 'reply-src:', 'sport:', 'dport:', 'state:', 'mark:', 'zone:', 'assured', '!assured', 'unreplied', 'snat', 'dnat', 'nat', '10.0.0.0/8', '::1', '443', '1-2', '0x10/0xff', 'established', '"', '"x y"', 'foo', '!', ':', '/', ',', '99999', 'time_wait,close'];
const ARGS = ['-p', 'tcp', 'udp', '-f', 'ipv4', 'ipv6', '-s', '-d', '-r', '-q', '10.0.0.1', '10.0.0.0/8', '::1', '--sport', '--dport', '80', '--state', 'ESTABLISHED', '-u', 'ASSURED', 'UNREPLIED,!ASSURED', '-m', '1/0x1', '-w', '3', '-n', '-g', '-j', '--reply-port-src', '--bogus', 'x'];

describe('filter parser fuzzing', () => {
  it('random queries parse to filters that round-trip, or throw FilterSyntaxError inside the query', () => {
    const rand = prng(11);
    let parsed = 0;
    for (let i = 0; i < 20000; i++) {
      const parts: string[] = [];
      const count = 1 + Math.floor(rand() * 5);
      for (let j = 0; j < count; j++) {
        const a = WORDS[Math.floor(rand() * WORDS.length)] ?? '';
        const b = rand() < 0.5 ? (WORDS[Math.floor(rand() * WORDS.length)] ?? '') : '';
        parts.push(a + b);
      }
      const query = parts.join(rand() < 0.8 ? ' ' : '  ');
      try {
        const filter = parseQuery(query);
        parsed++;
        expect(parseQuery(printQuery(filter)), query).toEqual(filter);
      } catch (err) {
        if (!(err instanceof FilterSyntaxError)) throw new Error(`${String(err)} for query: ${query}`);
        expect(err.start).toBeGreaterThanOrEqual(0);
        expect(err.end).toBeLessThanOrEqual(query.length);
        expect(err.start).toBeLessThanOrEqual(err.end);
      }
    }
    expect(parsed).toBeGreaterThan(1000);
  });

  it('random argv parse to filters that round-trip, or throw FilterArgsError at an index inside argv', () => {
    const rand = prng(12);
    let parsed = 0;
    for (let i = 0; i < 20000; i++) {
      const argv = Array.from({ length: Math.floor(rand() * 7) }, () => ARGS[Math.floor(rand() * ARGS.length)] ?? '');
      try {
        const filter = parseConntrackArgs(argv);
        parsed++;
        try {
          expect(parseConntrackArgs(printConntrackArgs(filter)), argv.join(' ')).toEqual(filter);
        } catch (err) {
          if (!(err instanceof FilterNotExpressibleError)) throw err;
        }
      } catch (err) {
        if (!(err instanceof FilterArgsError)) throw new Error(`${String(err)} for argv: ${argv.join(' ')}`);
        expect(err.index).toBeGreaterThanOrEqual(0);
        expect(err.index).toBeLessThan(argv.length);
        expect(err.arg).toBe(argv[err.index]);
      }
    }
    expect(parsed).toBeGreaterThan(1000);
  });
});
