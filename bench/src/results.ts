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
  /** Table entries the figure was measured over, when it depends on the table's size. */
  size?: number;
  /**
   * For a figure measured at several sizes: this value over the same figure's at the smallest size
   * (`factor`), and how many times more entries that is (`entries`). Set by `withGrowth`.
   */
  growth?: { factor: number; entries: number };
  /**
   * What growth is computed from when it is not `value`: for a figure measured in several runs, `value`
   * is the worst run (held against the goal) and this their median (how the cost grows with the table,
   * without one run's noise on a shared machine).
   */
  growthBasis?: number;
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

/**
 * The figure a row measures, whatever the size: its name without the entry count, run ranges and sample
 * counts (which differ between sizes), e.g. "agent window: all, sort by timeout, first page over N entries, p95".
 */
export function figureOf(result: Pick<BenchResult, 'name' | 'size'>): string {
  let name = result.name.replace(/ \((?:worst|median) of [^)]*\)/g, '').replace(/ \(\d+ (?:over|window changes)[^)]*\)/g, '');
  if (result.size !== undefined) name = name.split(String(result.size)).join('N');
  return name;
}

/** Tags rows with the table size they were measured at. */
export const atSize = (results: readonly BenchResult[], size: number): BenchResult[] => results.map((r) => ({ ...r, size }));

/**
 * Adds to each sized row its growth against the same figure at the smallest size measured (rows of one
 * size only, or without a size, are left as they are). A figure that grows faster than the entries does
 * not scale linearly.
 */
export function withGrowth(results: readonly BenchResult[]): BenchResult[] {
  const smallest = new Map<string, BenchResult>();
  for (const r of results) {
    if (r.size === undefined) continue;
    const key = figureOf(r);
    const known = smallest.get(key);
    if (!known || (known.size ?? 0) > r.size) smallest.set(key, r);
  }
  return results.map((r) => {
    const base = r.size === undefined ? undefined : smallest.get(figureOf(r));
    const basis = (x: BenchResult) => x.growthBasis ?? x.value;
    if (!base || base === r || base.size === undefined || r.size === undefined || base.size === r.size || !(basis(base) > 0)) return r;
    return { ...r, growth: { factor: round(basis(r) / basis(base), 2), entries: round(r.size / base.size, 2) } };
  });
}

/** "×3.1 for ×4 entries", marked when the figure grows faster than the entries; '' without growth. */
export const growthText = (r: BenchResult): string =>
  r.growth ? `×${r.growth.factor} for ×${r.growth.entries} entries${r.growthBasis === undefined ? '' : ' (median runs)'}${r.growth.factor > r.growth.entries ? ' (faster than the entries)' : ''}` : '';

export async function writeResults(file: string, results: readonly BenchResult[]): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(`${file}.tmp`, `${JSON.stringify(results, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}

export function formatTable(results: readonly BenchResult[]): string {
  const rows = results.map((r) => [r.name, `${r.value} ${r.unit}`, r.baseline === null ? '' : `${r.baseline} ${r.unit}`, r.ratio === null ? '' : String(r.ratio), growthText(r), r.goal, r.met === null ? '' : r.met ? 'met' : 'NOT MET']);
  const header = ['benchmark', 'value', 'baseline', 'ratio', 'growth', 'goal', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
