import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** The comparison value (e.g. the conntrack CLI in the same run), or null. */
  baseline: number | null;
  ratio: number | null;
  /** Human-readable goal, e.g. "ratio <= 0.8". */
  goal: string;
  met: boolean | null;
}

const round = (n: number, digits = 3) => Number(n.toFixed(digits));

/** A value beside its baseline; with `maxRatio` the ratio is a goal, without it only reported. */
export function compare(name: string, value: number, baseline: number, unit: string, maxRatio?: number): BenchResult {
  const ratio = baseline > 0 ? value / baseline : Number.POSITIVE_INFINITY;
  const goal = maxRatio === undefined ? 'reported' : `ratio <= ${maxRatio}`;
  return { name, value: round(value, 1), unit, baseline: round(baseline, 1), ratio: round(ratio), goal, met: maxRatio === undefined ? null : ratio <= maxRatio };
}

export function measured(name: string, value: number, unit: string): BenchResult {
  return { name, value: round(value, 1), unit, baseline: null, ratio: null, goal: 'reported', met: null };
}

/** A value held against an absolute goal (no baseline: nothing like it exists in the conntrack CLI). */
export function atMost(name: string, value: number, unit: string, max: number): BenchResult {
  return { name, value: round(value, 1), unit, baseline: null, ratio: null, goal: `<= ${max} ${unit}`, met: value <= max };
}

export async function writeResults(file: string, results: readonly BenchResult[]): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(`${file}.tmp`, `${JSON.stringify(results, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}

export function formatTable(results: readonly BenchResult[]): string {
  const rows = results.map((r) => [r.name, `${r.value} ${r.unit}`, r.baseline === null ? '' : `${r.baseline} ${r.unit}`, r.ratio === null ? '' : String(r.ratio), r.goal, r.met === null ? '' : r.met ? 'met' : 'NOT MET']);
  const header = ['benchmark', 'value', 'baseline', 'ratio', 'goal', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
