import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Flow } from '../flow';
import { ByteSink } from './byte-sink';
import { formatFlowExtended, formatFlowPlain } from './format';
import { writeFlowLine } from './format-bytes';
import { parseConntrackText } from './parse-line';

const fixtureFlows = (name: string): Flow[] => parseConntrackText(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'), { nowSeconds: 1_800_000_000 });

function render(flows: Flow[], extended: boolean, id: boolean): string {
  const chunks: Buffer[] = [];
  const sink = new ByteSink((c) => chunks.push(c), 64);
  for (const flow of flows) writeFlowLine(sink, flow, extended, { id, nowSeconds: 1_800_000_000 });
  sink.flush();
  return Buffer.concat(chunks).toString('latin1');
}

describe('writeFlowLine', () => {
  const flows = ['list-extended-id.txt', 'list-extended.txt', 'list-plain.txt', 'list-id.txt', 'list-acct-timestamp.txt'].flatMap(fixtureFlows);

  it.each([
    [true, true],
    [true, false],
    [false, true],
    [false, false],
  ])('writes the same bytes as the string formatter (extended %s, id %s)', (extended, id) => {
    const format = extended ? formatFlowExtended : formatFlowPlain;
    const expected = flows.map((f) => `${format(f, { id, nowSeconds: 1_800_000_000 })}\n`).join('');
    expect(flows.length).toBeGreaterThan(20);
    expect(render(flows, extended, id)).toBe(expected);
  });

  it('writes numbers of every size and grows past a small buffer', () => {
    const chunks: Buffer[] = [];
    const sink = new ByteSink((c) => chunks.push(c), 4);
    for (const n of [0, 7, 10, 99, 4294967295, 1234567890123]) {
      sink.uint(n);
      sink.byte(32);
    }
    sink.ascii('a longer text than the buffer');
    sink.flush();
    expect(Buffer.concat(chunks).toString()).toBe('0 7 10 99 4294967295 1234567890123 a longer text than the buffer');
  });

  it('reuses its buffer for a consumer that is done when flushTo returns', () => {
    const seen: string[] = [];
    const buffers = new Set<ArrayBufferLike>();
    const sink = new ByteSink(
      (c) => {
        seen.push(c.toString('latin1'));
        buffers.add(c.buffer);
      },
      8,
      { consumedOnReturn: true },
    );
    for (const word of ['alpha ', 'beta ', 'gamma ', 'delta']) sink.ascii(word);
    const line = sink.claim(4);
    let at = sink.position;
    for (const c of 'xyz\n') line[at++] = c.charCodeAt(0);
    sink.commit(at);
    sink.flush();
    expect(seen.join('')).toBe('alpha beta gamma deltaxyz\n');
    expect(buffers.size).toBe(1);
  });
});
