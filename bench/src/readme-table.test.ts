import { describe, expect, it } from 'vitest';
import { machineLine, markdownTable } from './readme-table';
import { atMost, compare, measured } from './results';

describe('the README bench table', () => {
  it('shows each goal, value, baseline and verdict as a markdown row, escaping pipes', () => {
    const table = markdownTable([compare('dump (a) | vs (b)', 400, 500, 'ms', 0.8), atMost('deep window p95', 70, 'ms', 50), measured('RSS', 180, 'MB')]).split('\n');
    expect(table).toHaveLength(5);
    expect(table[2]).toBe('| dump (a) \\| vs (b) | 400 ms | 500 ms | 0.8 | ratio <= 0.8 | met |');
    expect(table[3]).toBe('| deep window p95 | 70 ms |  |  | <= 50 ms | **not met** |');
    expect(table[4]).toBe('| RSS | 180 MB |  |  | reported |  |');
  });

  it('names the machine: cores, memory, kernel, Node', () => {
    expect(machineLine()).toMatch(/^\d+ × .+, \d+ GiB, kernel \S+, Node \d+\.\d+\.\d+; load average [\d.]+ \/ [\d.]+ \/ [\d.]+ at the end$/);
  });
});
