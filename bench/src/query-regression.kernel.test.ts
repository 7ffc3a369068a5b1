import { globalConntrackMax, skipKernelTests } from '@ctscope/testkit';
import { describe, expect, it } from 'vitest';
import { withTableSize } from './big-table';
import { queryBenchmarks } from './query-bench';
import type { BenchResult } from './results';

// The agent's side of CI's performance check (the browser's is e2e/specs/perf-connections.spec.ts): the
// bench's query and memory figures over 250,000 real entries, failing past twice a goal. CPU time, not
// wall time: on a shared machine wall time also holds whatever else ran meanwhile.
const ENTRIES = 250_000;
const HEADROOM = 10_000;
const REGRESSION_FACTOR = 2;

/** The limit of a goal like "<= 50 ms", or null for a reported figure. */
const goalLimit = (goal: string): number | null => {
  const match = /^<= ([\d.]+) /.exec(goal);
  return match ? Number(match[1]) : null;
};

const checked = (r: BenchResult) => goalLimit(r.goal) !== null && (r.unit === 'MB' || r.name.includes('CPU time'));

describe.skipIf(skipKernelTests())('agent queries and memory at 250,000 entries (CI regression check)', () => {
  it('stays within twice each goal', { timeout: 600_000 }, async () => {
    // nf_conntrack_max is global: raised (and put back) only under CI=true, where the test owns the machine.
    const max = await globalConntrackMax();
    const entries = max >= ENTRIES + HEADROOM || process.env.CI === 'true' ? ENTRIES : max - HEADROOM;
    const results = await withTableSize(entries, () => queryBenchmarks(entries, 10, 1));
    const rows = results.filter(checked);
    expect(rows.length).toBeGreaterThanOrEqual(8);
    for (const r of rows) expect.soft(r.value, `${r.name}: ${r.value} ${r.unit}, goal ${r.goal}`).toBeLessThanOrEqual((goalLimit(r.goal) ?? 0) * REGRESSION_FACTOR);
  });
});
