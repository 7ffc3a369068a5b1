import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };

const run = promisify(execFile);
const BIN = new URL('../../bin/ctscope.mjs', import.meta.url).pathname;

describe('ctscope --version', () => {
  it.each([['--version'], ['-V']])('%s prints the agent version from a checkout and exits 0', async (flag) => {
    const { stdout } = await run(process.execPath, [BIN, flag]);
    expect(stdout).toBe(`ctscope ${packageJson.version}\n`);
  });
});
