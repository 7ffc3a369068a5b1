import { spawn } from 'node:child_process';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { skipKernelTests } from '@ctscope/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const CTSCOPE = fileURLToPath(new URL('../bin/ctscope.mjs', import.meta.url));

/** Runs `ctscope agent` as root through `launcher` until it exits or prints `until`; resolves with the exit code and what it printed. */
function runAgent(launcher: string, tokenFile: string, until?: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [launcher, 'agent', '--dashboard', 'http://127.0.0.1:9', '--token-file', tokenFile, '--metrics', 'off', '--audit-file', join(tmpdir(), 'never-written.jsonl')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (d: Buffer) => {
      output += d.toString();
      if (until !== undefined && output.includes(until)) child.kill('SIGTERM');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => child.kill('SIGTERM'), 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

// The real agent process, as root: started from a launcher file that another user may change, it refuses.
describe.skipIf(skipKernelTests())('the agent started from code another user can change', () => {
  let dir = '';
  let launcher = '';
  let tokenFile = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ctscope-untrusted-'));
    await chmod(dir, 0o755);
    launcher = join(dir, 'launch.mjs');
    await writeFile(launcher, `await import(${JSON.stringify(CTSCOPE)});\n`);
    tokenFile = join(dir, 'agent.token');
    await writeFile(tokenFile, 'x'.repeat(43), { mode: 0o600 });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('refuses to start, naming the file and what to do', async () => {
    await chown(launcher, 65534, 65534);
    const { code, output } = await runAgent(launcher, tokenFile);
    expect(code).toBe(1);
    expect(output).toContain(`refusing to run as root from ${launcher}: it belongs to uid 65534, not root`);
    expect(output).toContain(`chown root:root ${launcher} && chmod go-w ${launcher}`);
  });

  it('starts from the same launcher when only root can change it (and goes on to dial the dashboard)', async () => {
    const { output } = await runAgent(launcher, tokenFile, 'dashboard unreachable');
    expect(output).not.toContain('refusing to run as root');
    expect(output).toContain('dashboard unreachable; retrying with backoff');
  }, 30_000);
});
