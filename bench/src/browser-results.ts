import { readFile } from 'node:fs/promises';
import type { BenchResult } from './results';

/** Written by the browser performance specs (e2e/specs/perf-*.spec.ts), which need a browser and a build. */
export const BROWSER_RESULTS_FILE = new URL('../results/browser.json', import.meta.url);

const isResult = (r: unknown): r is BenchResult => {
  if (typeof r !== 'object' || r === null) return false;
  const o = r as Record<string, unknown>;
  const numberOrNull = (v: unknown) => v === null || typeof v === 'number';
  return typeof o.name === 'string' && typeof o.value === 'number' && typeof o.unit === 'string' && numberOrNull(o.baseline) && numberOrNull(o.ratio) && typeof o.goal === 'string' && (o.met === null || typeof o.met === 'boolean');
};

/** The browser rows of the last perf spec runs, with a note saying when they ran and under what load. */
export async function browserResults(): Promise<{ results: BenchResult[]; note: string }> {
  const text = await readFile(BROWSER_RESULTS_FILE, 'utf8').catch(() => null);
  if (text === null) return { results: [], note: 'no browser results yet: run `cd e2e && npx playwright test specs/perf-` to measure them' };
  const file = JSON.parse(text) as { runs?: unknown; results?: unknown };
  if (typeof file.runs !== 'object' || file.runs === null || !Array.isArray(file.results) || !file.results.every(isResult)) throw new Error(`${BROWSER_RESULTS_FILE.pathname} is not a browser results file`);
  const runs = Object.entries(file.runs as Record<string, { at?: unknown; load?: unknown }>).map(([spec, run]) => `${spec} at ${String(run.at)} (load ${String(run.load)})`);
  return { results: file.results, note: `browser rows measured by the e2e perf specs: ${runs.join(', ')}` };
}
