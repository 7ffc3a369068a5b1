import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../cli/main';
import { listMain } from './list';

/** Runs one entry point with stdout and stderr captured. */
async function capture(run: () => Promise<number>): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    return { code: await run(), stdout, stderr };
  } finally {
    vi.restoreAllMocks();
  }
}

describe('listMain (the `ctscope list` bundle of its own)', () => {
  afterEach(() => vi.restoreAllMocks());

  // Everything that fails before the kernel is asked: help, bad arguments, bad queries.
  it.each([
    [['--help']],
    [['-h']],
    [['-o', 'bogus']],
    [['-o']],
    [['nosuchtable']],
    [['--query', 'tcp dport:x']],
    [['--query=udp src:10.0.0.0/99']],
    [['-p', 'tcp', '--dport']],
    [['--bogus-flag']],
    [['--json=1']],
    [['expect', '-p', 'tcp']],
    [['expect', '-f', 'ipv5']],
    [['--expect', '--query', 'tcp']],
    [['expect', '-o', 'bogus']],
  ])('answers %j exactly as `ctscope list` through the full CLI', async (argv) => {
    const ours = await capture(() => listMain(argv));
    const full = await capture(() => main(['list', ...argv]));
    expect(ours).toEqual(full);
    const help = argv[0] === '--help' || argv[0] === '-h';
    expect(ours.code).toBe(help ? 0 : 2);
    expect(help ? ours.stdout : ours.stderr).not.toBe('');
  });
});
