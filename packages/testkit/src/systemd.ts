import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Why unit files cannot be verified here, or null when `systemd-analyze` runs (under CI=true it must). */
export async function systemdAnalyzeMissing(): Promise<string | null> {
  try {
    await run('systemd-analyze', ['--version']);
    return null;
  } catch {
    if (process.env.CI === 'true') throw new Error('CI=true requires systemd-analyze (Debian package systemd)');
    return 'systemd-analyze is not installed';
  }
}

/** Everything `systemd-analyze verify` says about a unit file; empty means it is clean. */
export async function verifyUnit(file: string): Promise<string> {
  try {
    const { stdout, stderr } = await run('systemd-analyze', ['verify', file]);
    return `${stdout}${stderr}`.trim();
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    return `${e.stdout ?? ''}${e.stderr ?? ''}`.trim() || e.message;
  }
}

/** The value of a `Key=` line of a unit file; throws when the unit has none. */
export function unitValue(unit: string, key: string): string {
  const line = unit.split('\n').find((l) => l.startsWith(`${key}=`));
  if (line === undefined) throw new Error(`no ${key}= in the unit`);
  return line.slice(key.length + 1);
}
