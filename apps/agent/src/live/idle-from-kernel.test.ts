import { describe, expect, it } from 'vitest';
import { entry } from '../query/testing/entries';
import { IdleFromKernel } from './idle-from-kernel';

describe('idle histogram from a fresh dump', () => {
  it('uses the kernel timeouts, dumps once per max age and per query', async () => {
    let dumps = 0;
    const flows = [
      entry({ src: '10.0.0.1', dst: '10.0.0.2', id: 1, state: 'ESTABLISHED', timeout: 432_000 - 10 }).flow,
      entry({ src: '10.0.0.1', dst: '10.0.0.3', id: 2, state: 'ESTABLISHED', timeout: 432_000 - 7_200 }).flow,
    ];
    const source = { dump: async () => (dumps++, flows) };
    const idle = new IdleFromKernel(source, 60_000);
    const all = () => true;
    const first = await idle.get('', all, 432_000);
    expect(first.buckets.find((b) => b.upToSeconds === 60)?.count).toBe(1);
    expect(first.buckets.find((b) => b.upToSeconds === 21_600)?.count).toBe(1);
    await idle.get('', all, 432_000);
    expect(dumps).toBe(1);
    await idle.get('tcp', all, 432_000);
    expect(dumps).toBe(2);
    // A changed timeout setting invalidates the cached histogram.
    await idle.get('', all, 3_600);
    expect(dumps).toBe(3);
  });
});
