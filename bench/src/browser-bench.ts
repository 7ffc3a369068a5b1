import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PERF_SPECS = ['specs/perf-connections.spec.ts', 'specs/perf-events-latency.spec.ts'];

/**
 * Runs the browser performance specs (Playwright in Chromium against the real stack), which write
 * bench/results/browser.json. A spec that fails on a regression still leaves its numbers; the exit code is
 * returned so the table can say so.
 */
export async function runBrowserSpecs(): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout } = await promisify(execFile)(`${ROOT}node_modules/.bin/playwright`, ['test', '--config', `${ROOT}e2e/playwright.config.ts`, ...PERF_SPECS], {
      cwd: `${ROOT}e2e`,
      maxBuffer: 16 << 20,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    });
    return { ok: true, output: stdout };
  } catch (err) {
    const e = err as { stdout?: string; message: string };
    return { ok: false, output: e.stdout ?? e.message };
  }
}
