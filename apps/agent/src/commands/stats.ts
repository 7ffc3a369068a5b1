import { CPU_STAT_KEYS, type CpuStats } from '@ctscope/conntrack';
import { splitArgs, UsageError } from './args';
import { openCommandSource } from './source';

export const STATS_USAGE = `usage: ctscope stats [--json]

  Per-CPU conntrack counters like conntrack -S, plus their sum and the table's count and max.`;

export function sumStats(rows: readonly CpuStats[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const row of rows) for (const key of CPU_STAT_KEYS) if (row[key] !== undefined) total[key] = (total[key] ?? 0) + (row[key] ?? 0);
  return total;
}

/** `cpu=0   \tfound=0 invalid=0 ...` exactly as conntrack -S prints a CPU. */
export function formatCpuLine(row: CpuStats): string {
  const counters = CPU_STAT_KEYS.filter((k) => row[k] !== undefined).map((k) => `${k}=${row[k]}`);
  return `cpu=${String(row.cpu).padEnd(4)}\t${counters.join(' ')} `;
}

export async function statsCommand(argv: readonly string[]): Promise<number> {
  const { own, rest } = splitArgs(argv, [{ name: 'json', takesValue: false }]);
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"\n\n${STATS_USAGE}`);
  const source = await openCommandSource();
  try {
    const [cpus, global] = await Promise.all([source.cpuStats(), source.globalStats()]);
    const total = sumStats(cpus);
    if (own.has('json')) {
      process.stdout.write(`${JSON.stringify({ entries: global.entries, maxEntries: global.maxEntries, cpus, total })}\n`);
    } else {
      const lines = cpus.map(formatCpuLine);
      lines.push(`total   \t${Object.entries(total).map(([k, v]) => `${k}=${v}`).join(' ')} `);
      lines.push(`entries=${global.entries} max=${global.maxEntries}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    return 0;
  } finally {
    source.close();
  }
}

export async function countCommand(argv: readonly string[]): Promise<number> {
  if (argv.length > 0) throw new UsageError(`ctscope count takes no arguments (got "${argv[0]}")`);
  const source = await openCommandSource();
  try {
    process.stdout.write(`${await source.count()}\n`);
    return 0;
  } finally {
    source.close();
  }
}
