import type { BenchResult } from './results';

/** A result's name with its entry count and run details taken out, so one figure matches across sizes. */
export function figureName(name: string, entries: number): string {
  return name
    .replace(/ \(worst of \d+ runs?; range [^)]*\)/, '')
    .replaceAll(String(entries), 'N')
    .trim();
}

/**
 * How each figure grew from the smallest size to each larger one, against how the entry count grew:
 * a figure may grow at most as fast as the table (the goal of issue #15).
 */
export function growthFactors(bySize: ReadonlyMap<number, readonly BenchResult[]>): BenchResult[] {
  const sizes = [...bySize.keys()].sort((a, b) => a - b);
  const smallest = sizes[0];
  if (smallest === undefined || sizes.length < 2) return [];
  const base = new Map((bySize.get(smallest) ?? []).map((r) => [figureName(r.name, smallest), r.growthBasis ?? r.value]));
  const out: BenchResult[] = [];
  for (const size of sizes.slice(1)) {
    const entryGrowth = size / smallest;
    for (const r of bySize.get(size) ?? []) {
      const figure = figureName(r.name, size);
      const before = base.get(figure);
      if (before === undefined || !(before > 0)) continue;
      const growth = (r.growthBasis ?? r.value) / before;
      out.push({
        name: `${figure.replace(/^agent /, 'agent growth ')} from ${smallest} to ${size} entries (entries ×${Number(entryGrowth.toFixed(2))})`,
        value: Number(growth.toFixed(2)),
        unit: '×',
        baseline: before,
        ratio: Number(growth.toFixed(3)),
        goal: `<= ${Number(entryGrowth.toFixed(2))} ×`,
        met: growth <= entryGrowth,
      });
    }
  }
  return out;
}
