import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PERF_SPECS = ['specs/perf-connections.spec.ts', 'specs/perf-events-latency.spec.ts'];
/** The specs whose figures depend on the table's size (the others run once, at the default size). */
const SIZED_SPECS = ['specs/perf-connections.spec.ts'];
/** The size perf-connections measures without CTSCOPE_PERF_ENTRIES (and in CI). */
export const DEFAULT_PERF_ENTRIES = 250_000;

/**
 * Runs the browser performance specs (Playwright in Chromium against the real stack), which write
 * bench/results/browser.json: all of them at the default size, the sized ones at other sizes
 * (CTSCOPE_PERF_ENTRIES). A spec that fails on a regression still leaves its numbers; the exit code is
 * returned so the table can say so.
 */
export async function runBrowserSpecs(entries = DEFAULT_PERF_ENTRIES): Promise<{ ok: boolean; output: string }> {
  try {
    const specs = entries === DEFAULT_PERF_ENTRIES ? PERF_SPECS : SIZED_SPECS;
    const { stdout } = await promisify(execFile)(`${ROOT}node_modules/.bin/playwright`, ['test', '--config', `${ROOT}e2e/playwright.config.ts`, ...specs], {
      cwd: `${ROOT}e2e`,
      maxBuffer: 16 << 20,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...(entries === DEFAULT_PERF_ENTRIES ? {} : { CTSCOPE_PERF_ENTRIES: String(entries) }) },
    });
    return { ok: true, output: stdout };
  } catch (err) {
    const e = err as { stdout?: string; message: string };
    return { ok: false, output: e.stdout ?? e.message };
  }
}
