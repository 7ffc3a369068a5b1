import { execFile } from 'node:child_process';

export interface CommandResult {
  stdout: string;
  stderr: string;
  /** Set when the command could not run or exited non-zero. */
  error: Error | null;
}

/** Runs the conntrack command (argv array, never a shell) and reports the outcome without throwing. */
export function runCommandSettled(command: readonly string[], args: readonly string[]): Promise<CommandResult> {
  const [file, ...prefix] = command;
  if (file === undefined) return Promise.resolve({ stdout: '', stderr: '', error: new Error('empty conntrack command') });
  return new Promise((resolve) => {
    execFile(file, [...prefix, ...args], { maxBuffer: 1024 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ stdout, stderr, error: err ?? null });
    });
  });
}

/** Runs the conntrack command; resolves its output, rejects with its stderr on failure. */
export async function runCommand(command: readonly string[], args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  const result = await runCommandSettled(command, args);
  if (result.error) throw new Error(`${[...command, ...args].join(' ')} failed: ${result.stderr.trim() || result.error.message}`);
  return { stdout: result.stdout, stderr: result.stderr };
}
