import { describe, expect, it } from 'vitest';
import { fuzz } from './fuzzer';

describe('ctnetlink decoder fuzzing', () => {
  it('turns 20,000 mutated and random messages into results or DecodeError, each fast', () => {
    const report = fuzz(20_000, 7);
    expect(report.escapes).toEqual([]);
    expect(report.slow).toBe(0);
    expect(report.decodeErrors).toBeGreaterThan(1000);
    expect(report.decoded).toBeGreaterThan(1000);
    expect(Object.keys(report.byMutation).sort()).toEqual(['bitflip', 'header', 'length', 'random', 'splice', 'truncate']);
    }, 60_000); // CPU-bound: generous on a shared machine
});
