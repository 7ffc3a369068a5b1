import { describe, expect, it } from 'vitest';
import { startDelay, startPoint } from './fleet';

describe('simulated fleet timing', () => {
  it('spreads the hosts\' sampling moments over the interval, also within each worker process', () => {
    const buckets = (hosts: number[]) => {
      const counts = Array.from({ length: 10 }, () => 0);
      for (const host of hosts) counts[Math.floor(startDelay(host, 1_000) / 100)]! += 1;
      return counts;
    };
    const all = Array.from({ length: 200 }, (_, host) => host);
    for (const count of buckets(all)) expect(count).toBeGreaterThanOrEqual(15);
    const shard = all.filter((host) => host % 8 === 3); // what one of 8 workers runs
    for (const count of buckets(shard)) expect(count).toBeGreaterThanOrEqual(1);
    expect(all.every((host) => startDelay(host, 1_000) >= 0 && startDelay(host, 1_000) < 1_000)).toBe(true);
  });

  it('starts hosts at different points of the recording', () => {
    const points = new Set(Array.from({ length: 50 }, (_, host) => startPoint(host, 90_000)));
    expect(points.size).toBe(50);
  });
});
