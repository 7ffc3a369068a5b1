// CPU time of one composition summary over synthetic entries (no kernel): `tsx summary-bench.ts [entries]`.
// Worst case for the pair counts: ~1 pair per 4 entries, 65,536 sources, 4,096 destinations, 2,000 ports.
import { FlowTable } from '../../mirror/flow-table';
import { entry } from '../../query/testing/entries';
import { summarise } from '../summarise';

const n = Number(process.argv[2] ?? 250_000);
const table = new FlowTable();
for (let i = 0; i < n; i++) {
  const s = (i * 2_654_435_761) % 65_536;
  const d = (i * 40_503) % 4_096;
  const e = entry({ src: `10.${s >> 8}.${s & 255}.1`, dst: `172.16.${d >> 8}.${d & 255}`, sport: 1024 + (i % 60_000), dport: 1 + (i % 2_000), id: i + 1, ...(i % 3 === 0 ? { proto: 'udp' as const } : { state: 'ESTABLISHED' }) });
  table.set(e.flow, 0, false);
}
const netns = (total: number) => [{ netns: '1', name: 'host', source: 'host' as const, entries: total }];
const cpu: number[] = [];
for (let i = 0; i < 15; i++) cpu.push(summarise(table, netns).tookMs);
cpu.sort((a, b) => a - b);
const p50 = cpu[7] ?? 0;
console.log(`${n} entries: summary cpu p50 ${p50.toFixed(1)} ms, max ${(cpu[14] ?? 0).toFixed(1)} ms; every 10 s that is ${(p50 / 100).toFixed(2)} % of a core`);
