import { CPU_STAT_KEYS, type CpuStatKey, type CpuStats } from '../flow';
import { TextParseError } from './errors';

const KEYS: ReadonlySet<string> = new Set(CPU_STAT_KEYS);

/**
 * Parses `conntrack -S` ("cpu=0   \tfound=0 invalid=3 ... "). Counters this model does not name
 * (older kernels' new/ignore/delete..., or unknownN from newer ones) are skipped.
 */
export function parseConntrackStats(text: string): CpuStats[] {
  const out: CpuStats[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const cpuMatch = /^cpu=(\d+)\s+/.exec(line);
    if (!cpuMatch) throw new TextParseError(line, 0, 'expected cpu=N');
    const stats: CpuStats = { cpu: Number(cpuMatch[1]) };
    let pos = cpuMatch[0].length;
    for (const field of line.slice(pos).split(' ')) {
      if (field === '') {
        pos += 1;
        continue;
      }
      const m = /^([a-z_0-9]+)=(\d+)$/.exec(field);
      if (!m) throw new TextParseError(line, pos, 'expected name=number');
      if (KEYS.has(m[1] ?? '')) stats[m[1] as CpuStatKey] = Number(m[2]);
      pos += field.length + 1;
    }
    out.push(stats);
  }
  return out;
}

/** Parses `conntrack -C` (one number). */
export function parseConntrackCount(text: string): number {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) throw new TextParseError(text, 0, 'expected a number');
  return Number(trimmed);
}
