import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LatestBatcher } from './latest-batcher';

describe('LatestBatcher', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends the newest value of each key once per delay, in the order keys last changed', () => {
    const sent: string[][] = [];
    const batcher = new LatestBatcher<string>((batch) => sent.push(batch), 50, 100);
    batcher.add('a', 'a1');
    batcher.add('b', 'b1');
    batcher.add('a', 'a2');
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(49);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([['b1', 'a2']]);
    vi.advanceTimersByTime(500);
    expect(sent).toHaveLength(1); // nothing pending: no empty batches
    batcher.add('c', 'c1');
    vi.advanceTimersByTime(50);
    expect(sent).toEqual([['b1', 'a2'], ['c1']]);
  });

  it('never holds more than maxKeys values: a full batch goes out at once', () => {
    const sent: number[][] = [];
    const batcher = new LatestBatcher<number>((batch) => sent.push(batch), 50, 3);
    for (let i = 0; i < 7; i++) batcher.add(`k${i}`, i);
    expect(sent).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    vi.advanceTimersByTime(50);
    expect(sent.at(-1)).toEqual([6]);
  });

  it('sendNow flushes early and stop drops what is pending', () => {
    const sent: number[][] = [];
    const batcher = new LatestBatcher<number>((batch) => sent.push(batch), 50, 10);
    batcher.add('a', 1);
    batcher.sendNow();
    expect(sent).toEqual([[1]]);
    batcher.add('b', 2);
    batcher.stop();
    vi.advanceTimersByTime(100);
    expect(sent).toEqual([[1]]);
  });
});
