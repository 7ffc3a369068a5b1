import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { prng } from '../filter/test-random';
import { TextParseError } from './errors';
import { formatFlowExtended } from './format';
import { parseConntrackEventLine } from './parse-event';
import { parseConntrackLine } from './parse-line';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8').split('\n').filter(Boolean);
const seeds = [...fixture('list-extended-id.txt'), ...fixture('list-acct-timestamp.txt'), ...fixture('list-ktimestamp.txt'), ...fixture('list-plain.txt')];
const eventSeeds = [...fixture('events-extended-id.txt'), ...fixture('events-timestamp.txt')];
const ALPHABET = ' =[]:.,0123456789abcdefxyzSRC_DTNAPIsrcdstportidmark\t-/';

function mutate(line: string, rand: () => number): string {
  let out = line;
  const edits = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(rand() * (out.length + 1));
    const kind = rand();
    const ch = ALPHABET[Math.floor(rand() * ALPHABET.length)] ?? ' ';
    if (kind < 0.3) out = out.slice(0, at) + out.slice(at + 1);
    else if (kind < 0.6) out = out.slice(0, at) + ch + out.slice(at);
    else if (kind < 0.8) out = out.slice(0, at) + ch + out.slice(at + 1);
    else out = out.slice(0, at);
  }
  return out;
}

describe('text parser fuzzing', () => {
  it('mutated -L lines either parse (and print back parseable) or throw TextParseError', () => {
    const rand = prng(99);
    let parsed = 0;
    for (let i = 0; i < 20000; i++) {
      const line = mutate(seeds[i % seeds.length] ?? '', rand);
      try {
        const flow = parseConntrackLine(line, { nowSeconds: 1_800_000_000 });
        parsed++;
        expect(parseConntrackLine(formatFlowExtended(flow, { nowSeconds: 1_800_000_000, ktimestamp: true }), { nowSeconds: 1_800_000_000 })).toEqual(flow);
      } catch (err) {
        if (!(err instanceof TextParseError)) throw new Error(`${String(err)} for line: ${line}`);
        expect(err.position).toBeGreaterThanOrEqual(0);
        expect(err.position).toBeLessThanOrEqual(line.length);
      }
    }
    expect(parsed).toBeGreaterThan(100);
  });

  it('mutated -E lines either parse or throw TextParseError', () => {
    const rand = prng(5);
    for (let i = 0; i < 10000; i++) {
      const line = mutate(eventSeeds[i % eventSeeds.length] ?? '', rand);
      try {
        parseConntrackEventLine(line);
      } catch (err) {
        if (!(err instanceof TextParseError)) throw new Error(`${String(err)} for line: ${line}`);
      }
    }
  });
});
