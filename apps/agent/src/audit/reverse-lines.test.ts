import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { linesBackwards } from './reverse-lines';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ctscope-lines-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function collect(content: string, chunkBytes: number, maxLineBytes = 1_000, budget?: { bytes: number }): Promise<string[]> {
  const path = join(dir, 'f');
  await writeFile(path, content);
  const out: string[] = [];
  for await (const line of linesBackwards(path, budget ? { chunkBytes, maxLineBytes, budget } : { chunkBytes, maxLineBytes })) out.push(line);
  return out;
}

describe('linesBackwards', () => {
  it('yields lines last first, for every chunk size', async () => {
    const content = 'alpha\nbeta\n\ngamma-is-longer\ndé€ltà\n';
    for (const chunk of [1, 2, 3, 5, 7, 64]) {
      expect(await collect(content, chunk)).toEqual(['dé€ltà', 'gamma-is-longer', 'beta', 'alpha']);
    }
  });

  it('yields a last line without newline, and nothing for an empty or missing file', async () => {
    expect(await collect('one\ntwo', 3)).toEqual(['two', 'one']);
    expect(await collect('', 3)).toEqual([]);
    const none: string[] = [];
    for await (const line of linesBackwards(join(dir, 'missing'), { maxLineBytes: 10 })) none.push(line);
    expect(none).toEqual([]);
  });

  it('skips lines longer than the cap without buffering them', async () => {
    const content = `short\n${'x'.repeat(5_000)}\nok\n${'y'.repeat(5_000)}`;
    for (const chunk of [4, 100, 4_096]) expect(await collect(content, chunk, 100)).toEqual(['ok', 'short']);
  });

  it('stops when the shared budget is spent', async () => {
    const content = Array.from({ length: 100 }, (_, i) => `line-${i}`).join('\n');
    const lines = await collect(content, 10, 100, { bytes: 30 });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThan(6);
    expect(lines[0]).toBe('line-99');
  });
});
