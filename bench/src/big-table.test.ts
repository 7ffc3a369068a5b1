import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { holdLock } from './big-table';

const tryLock = (file: string) => promisify(execFile)('flock', ['--nonblock', file, 'true']).then(() => true, () => false);

describe('the big-bench lock', () => {
  let dir: string | undefined;
  afterEach(async () => dir && (await rm(dir, { recursive: true, force: true })));

  it('keeps other flock users out while held, and lets them in once released', async () => {
    dir = await mkdtemp(join(tmpdir(), 'ctscope-lock-'));
    const file = join(dir, 'big-bench.lock');
    const release = await holdLock(file);
    try {
      expect(await tryLock(file)).toBe(false);
    } finally {
      await release();
    }
    expect(await tryLock(file)).toBe(true);
  });
});
