import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, type Page } from '@playwright/test';

/** Where the browser performance specs leave their numbers; `npm run bench` folds them into latest.json. */
export const BROWSER_RESULTS = fileURLToPath(new URL('../../bench/results/browser.json', import.meta.url));

/** One row of the bench table (bench/src/results.ts has the same shape). */
export interface PerfResult {
  name: string;
  value: number;
  unit: string;
  baseline: number | null;
  ratio: number | null;
  goal: string;
  met: boolean | null;
  /** Table entries the figure was measured over, when it depends on the table's size. */
  size?: number;
}

/** The table size asked for in `value` (an environment variable), or `fallback`; refuses anything else. */
export function perfEntries(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1_000 || n > 8_000_000) throw new Error(`CTSCOPE_PERF_ENTRIES must be a whole number from 1000 to 8000000, not ${JSON.stringify(value)}`);
  return n;
}

export interface BrowserResultsFile {
  /** Per spec: when it ran, and the machine's 1-minute load average then (these numbers are noisy under load). */
  runs: Record<string, { at: string; load: number }>;
  bySpec: Record<string, PerfResult[]>;
  /** Every spec's results, for the bench table. */
  results: PerfResult[];
}

export const round1 = (n: number): number => Number(n.toFixed(1));

/** The q-quantile (nearest rank) of the samples. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) throw new Error('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

const limits = new WeakMap<PerfResult, number>();

export function atMost(name: string, value: number, unit: string, limit: number): PerfResult {
  const result: PerfResult = { name, value: round1(value), unit, baseline: null, ratio: null, goal: `<= ${limit} ${unit}`, met: value <= limit };
  limits.set(result, limit);
  return result;
}

/** How far past its goal a measurement may land before the test fails. */
export const REGRESSION_FACTOR = 2;

/**
 * Goals are recorded as met or not in the results (and the bench table). The test itself fails only past
 * REGRESSION_FACTOR times a goal: a near miss on a busy machine is reported, a real regression is red.
 */
export function expectNoRegression(results: readonly PerfResult[]): void {
  for (const r of results) {
    const limit = limits.get(r);
    if (limit !== undefined) expect.soft(r.value, `${r.name}: ${r.value} ${r.unit}, goal ${r.goal}`).toBeLessThanOrEqual(limit * REGRESSION_FACTOR);
  }
}

/** A number shown in the table without a goal. */
export const reported = (name: string, value: number, unit: string): PerfResult => ({ name, value: round1(value), unit, baseline: null, ratio: null, goal: 'reported', met: null });

/** Replaces this spec's results in the shared file (other specs' stay), atomically. */
export async function recordResults(spec: string, results: readonly PerfResult[]): Promise<void> {
  const previous = await readFile(BROWSER_RESULTS, 'utf8').then((text) => JSON.parse(text) as Partial<BrowserResultsFile>, () => ({}) as Partial<BrowserResultsFile>);
  const bySpec = { ...previous.bySpec, [spec]: [...results] };
  const next: BrowserResultsFile = {
    runs: { ...previous.runs, [spec]: { at: new Date().toISOString(), load: round1(loadavg()[0] ?? 0) } },
    bySpec,
    results: Object.values(bySpec).flat(),
  };
  await mkdir(dirname(BROWSER_RESULTS), { recursive: true });
  await writeFile(`${BROWSER_RESULTS}.tmp`, `${JSON.stringify(next, null, 2)}\n`);
  await rename(`${BROWSER_RESULTS}.tmp`, BROWSER_RESULTS);
}

declare global {
  interface Window {
    __longTasks?: { start: number; duration: number }[];
  }
}

/** Records every long task (main-thread work over 50 ms) the page runs, from its first script on. */
export async function observeLongTasks(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const tasks: { start: number; duration: number }[] = [];
    window.__longTasks = tasks;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) tasks.push({ start: entry.startTime, duration: entry.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
}

/** The page's clock (performance.now()), to bracket a phase. */
export const pageNow = (page: Page): Promise<number> => page.evaluate(() => performance.now());

/** Durations of the long tasks that started between `from` and `to` (page clock). */
export const longTasksBetween = (page: Page, from: number, to: number): Promise<number[]> =>
  page.evaluate(([a, b]) => (window.__longTasks ?? []).filter((t) => t.start >= a && t.start <= b).map((t) => t.duration), [from, to] as const);

/** One request of the page over its Socket.IO connection and its answer, in this process's clock (ms). */
export interface AckedRequest {
  sentAt: number;
  answeredAt: number | null;
}

/**
 * Watches the page's websockets for `event` requests (Socket.IO frames `42/nsp,ID["event",…]`) and their
 * acks (`43/nsp,ID[…]`): how long the server (and, for window requests, the agent) took to answer, apart
 * from what the page spends before sending and after receiving.
 */
export function trackRequests(page: Page, event: string): AckedRequest[] {
  const requests: AckedRequest[] = [];
  const open = new Map<string, AckedRequest>();
  const sent = new RegExp(`^42(/[a-z]+),(\\d+)\\["${event}"`);
  page.on('websocket', (ws) => {
    ws.on('framesent', (frame) => {
      const m = typeof frame.payload === 'string' ? sent.exec(frame.payload) : null;
      if (!m) return;
      const request: AckedRequest = { sentAt: Date.now(), answeredAt: null };
      requests.push(request);
      open.set(`${m[1]},${m[2]}`, request);
    });
    ws.on('framereceived', (frame) => {
      const m = typeof frame.payload === 'string' ? /^43(\/[a-z]+),(\d+)\[/.exec(frame.payload) : null;
      const request = m ? open.get(`${m[1]},${m[2]}`) : undefined;
      if (!request || !m) return;
      request.answeredAt = Date.now();
      open.delete(`${m[1]},${m[2]}`);
    });
  });
  return requests;
}
