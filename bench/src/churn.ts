import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const SOURCE = fileURLToPath(new URL('../native/udp-churn.c', import.meta.url));
const run = promisify(execFile);

export interface ChurnGenerator {
  /** Path of the built udp-churn program (usage in bench/native/udp-churn.c). */
  path: string;
  remove(): Promise<void>;
}

/** Builds bench/native/udp-churn.c with gcc into a temporary directory (removed by `remove`). */
export async function buildChurnGenerator(): Promise<ChurnGenerator> {
  const dir = await mkdtemp(join(tmpdir(), 'ctscope-churn-'));
  const path = join(dir, 'udp-churn');
  try {
    await run('gcc', ['-O2', '-Wall', '-o', path, SOURCE]);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`cannot build the UDP churn generator with gcc (npm run setup installs it): ${(err as Error).message}`);
  }
  return { path, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** What udp-churn printed at the end. */
export interface ChurnResult {
  sent: number;
  failed: number;
  seconds: number;
}
