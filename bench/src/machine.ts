import { cpus, loadavg, totalmem } from 'node:os';

/** The machine and its load right now, for the record beside each benchmark's numbers. */
export function machineNote(): string {
  const [one, five, fifteen] = loadavg().map((l) => l.toFixed(2));
  return `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}; load average ${one} / ${five} / ${fifteen}`;
}

/** A positive number (a whole one when `integer`) from an environment variable, else `fallback`; exits 2 with a clear message when malformed. */
export function positiveFrom(variable: string, fallback: number, integer = false): number {
  const value = Number(process.env[variable] ?? fallback);
  if (!(integer ? Number.isSafeInteger(value) : Number.isFinite(value)) || value <= 0) {
    process.stderr.write(`${variable} must be a positive ${integer ? 'integer' : 'number'}, got "${process.env[variable] ?? ''}"\n`);
    process.exit(2);
  }
  return value;
}

/** Entry counts from an environment variable of comma-separated sizes (exits 2 with a clear message when malformed). */
export function sizesFrom(variable: string, fallback: string): number[] {
  const raw = process.env[variable] ?? fallback;
  const sizes = raw.split(',').map((s) => Number(s.trim()));
  if (sizes.length === 0 || sizes.some((n) => !Number.isSafeInteger(n) || n <= 0)) {
    process.stderr.write(`${variable} must be entry counts separated by commas, e.g. 200000,1000000; got "${raw}"\n`);
    process.exit(2);
  }
  return sizes;
}
