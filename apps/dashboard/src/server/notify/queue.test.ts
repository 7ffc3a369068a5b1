import { describe, expect, it } from 'vitest';
import { FakeClock, settle } from './fake-clock.testing';
import { backoffDelay, DeliveryQueue, type QueueOptions } from './queue';
import type { SendResult } from './types';

const options = (over: Partial<QueueOptions> = {}): QueueOptions => ({ capacity: 1_000, baseDelayMs: 1_000, maxDelayMs: 60_000, maxAttempts: 5, random: () => 1, ...over });
const fail = (retry = true): SendResult => ({ ok: false, retry, error: 'http://127.0.0.1:1 answered 503' });

describe('backoffDelay', () => {
  it('doubles per attempt up to the cap, the upper half jittered', () => {
    const top = { baseDelayMs: 1_000, maxDelayMs: 60_000, random: () => 1 };
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(n, top))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
    expect(backoffDelay(3, { ...top, random: () => 0 })).toBe(2_000);
    expect(backoffDelay(1_000, top)).toBe(60_000);
  });
});

describe('DeliveryQueue', () => {
  it('retries a failing delivery with growing delays, then sends the next in order', async () => {
    const clock = new FakeClock();
    const attempts: { item: string; at: number }[] = [];
    const outcomes = [fail(), fail(), { ok: true } as const];
    const queue = new DeliveryQueue<string>(async (item) => {
      attempts.push({ item, at: clock.now() });
      return item === 'a' ? (outcomes.shift() ?? { ok: true }) : { ok: true };
    }, clock, options());
    const start = clock.now();
    queue.push('a');
    queue.push('b');
    await settle();
    expect(attempts.map((a) => a.item)).toEqual(['a']);
    expect(queue.status).toMatchObject({ queued: 2, lastError: 'http://127.0.0.1:1 answered 503', sent: 0 });
    await clock.advance(999);
    expect(attempts).toHaveLength(1);
    await clock.advance(1);
    expect(attempts).toHaveLength(2);
    await clock.advance(2_000);
    expect(attempts.map((a) => [a.item, a.at - start])).toEqual([['a', 0], ['a', 1_000], ['a', 3_000], ['b', 3_000]]);
    expect(queue.status).toMatchObject({ queued: 0, sent: 2, dropped: 0, lastSuccessAt: start + 3_000, lastFailureAt: start + 1_000 });
  });

  it('gives up after maxAttempts and on errors not worth retrying, counting them as dropped', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const queue = new DeliveryQueue<string>(async (item) => {
      calls++;
      return item === 'bad-request' ? fail(false) : fail();
    }, clock, options({ maxAttempts: 3 }));
    queue.push('bad-request');
    await settle();
    expect(calls).toBe(1);
    expect(queue.status).toMatchObject({ dropped: 1, queued: 0 });
    queue.push('down');
    await clock.advance(10 * 60_000);
    expect(calls).toBe(4);
    expect(queue.status).toMatchObject({ dropped: 2, queued: 0 });
    expect(clock.pending).toBe(0);
  });

  it('keeps at most `capacity` items, dropping the oldest waiting one (never the one being retried)', async () => {
    const clock = new FakeClock();
    let up = false;
    const delivered: number[] = [];
    const queue = new DeliveryQueue<number>(async (n) => {
      if (!up) return fail();
      delivered.push(n);
      return { ok: true };
    }, clock, options({ capacity: 3 }));
    for (let n = 1; n <= 6; n++) queue.push(n);
    await settle();
    expect(queue.status).toMatchObject({ queued: 3, dropped: 3 });
    up = true;
    await clock.advance(1_000);
    expect(delivered).toEqual([1, 5, 6]);
    expect(queue.status).toMatchObject({ queued: 0, dropped: 3, sent: 3 });
  });

  it('a repeated item replaces its older copy still waiting, never the one being sent', async () => {
    const clock = new FakeClock();
    let up = false;
    const delivered: string[] = [];
    const queue = new DeliveryQueue<string>(async (item) => {
      if (!up) return fail();
      delivered.push(item);
      return { ok: true };
    }, clock, options());
    queue.push('repost gw1 #1', 'gw1/events-lost');
    await settle();
    queue.push('firing gw2');
    for (let n = 2; n <= 50; n++) queue.push(`repost gw1 #${n}`, 'gw1/events-lost');
    expect(queue.status).toMatchObject({ queued: 3, dropped: 0 });
    up = true;
    await clock.advance(1_000);
    expect(delivered).toEqual(['repost gw1 #1', 'firing gw2', 'repost gw1 #50']);
  });

  it('stops retrying once closed', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const queue = new DeliveryQueue<string>(async () => {
      calls++;
      return fail();
    }, clock, options());
    queue.push('x');
    await settle();
    queue.close();
    await clock.advance(60_000);
    expect(calls).toBe(1);
    expect(queue.status.queued).toBe(0);
  });
});
