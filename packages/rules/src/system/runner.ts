import { execFile } from 'node:child_process';

export interface RunOutput {
  stdout: string;
  stderr: string;
}

/**
 * Runs one program with an argv array (never a shell) and rejects on a non-zero exit. Injected
 * everywhere so the agent can wrap it (e.g. `ip netns exec <ns>`) and tests can run in a namespace.
 */
export type Runner = (cmd: string, args: readonly string[], input?: string) => Promise<RunOutput>;

export class CommandError extends Error {
  constructor(
    readonly cmd: string,
    readonly args: readonly string[],
    readonly stderr: string,
    readonly exitCode: number | null,
  ) {
    super(`${cmd} failed${exitCode === null ? '' : ` (exit ${exitCode})`}: ${stderr.trim().split('\n').slice(0, 5).join(' | ')}`);
    this.name = 'CommandError';
  }
}

export const execRunner: Runner = (cmd, args, input) =>
  new Promise((resolve, reject) => {
    const child = execFile(cmd, [...args], { maxBuffer: 64 * 1024 * 1024, encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) {
        const code = typeof err.code === 'number' ? err.code : null;
        reject(new CommandError(cmd, args, stderr || err.message, code));
      } else resolve({ stdout, stderr });
    });
    // A command that exits without reading its input (an error, or no input expected) closes the pipe:
    // the exit status reported above is what matters, not the write error.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input ?? '');
  });

/** Runs and returns null instead of throwing (for probes such as `nft --version`). */
export async function tryRun(runner: Runner, cmd: string, args: readonly string[], input?: string): Promise<RunOutput | null> {
  try {
    return await runner(cmd, args, input);
  } catch {
    return null;
  }
}
