// In-process timing of queries over synthetic entries (no kernel): `tsx synthetic.ts [entries]`.
import type { SortColumn } from '@ctscope/protocol';
import { FlowTable } from '../../mirror/flow-table';
import { aggregate } from '../aggregate';
import { compileQuery } from '../compile-query';
import { entry } from '../testing/entries';
import { queryWindow } from '../window';

const n = Number(process.argv[2] ?? 250_000);
const table = new FlowTable();
// Like the bench's namespace (testkit's udp-spray): kernel ids are hashes, and entries made within a
// minute of each other share a few dozen timeouts.
let seed = 12345;
const random32 = () => (seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0);
for (let i = 0; i < n; i++) {
  const host = Math.floor(i / 1000) + 1;
  const e = entry({ src: '127.0.0.1', dst: `127.${(host >> 16) & 255}.${(host >> 8) & 255}.${host & 255}`, proto: 'udp', sport: 40000, dport: 10000 + (i % 1000), id: random32(), timeout: 3600 - Math.floor((60 * i) / n) });
  table.set(e.flow, 0, false);
}
const time = (name: string, fn: () => void) => {
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < 15; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
  }
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  console.log(name.padEnd(40), 'p50', times[7]?.toFixed(1), 'max', times[14]?.toFixed(1), '| cpu p50', cpu[7]?.toFixed(1), 'max', cpu[14]?.toFixed(1));
};
// SYNTHETIC_HEAP_LIMIT: the window depth up to which the bounded heap is used (see queryWindow).
const heapLimit = process.env.SYNTHETIC_HEAP_LIMIT === undefined ? {} : { heapLimit: Number(process.env.SYNTHETIC_HEAP_LIMIT) };
const run = (query: string, column: SortColumn, desc: boolean, offset: number) => {
  const q = compileQuery(query);
  if (!q.ok) throw new Error(q.message);
  time(`${query || '(all)'} by ${column} @${offset}`, () => queryWindow({ table, filter: q.filter, spec: { sort: { column, desc }, offset, limit: 100 }, ...heapLimit }));
};
let seen = 0;
time('iterate only', () => {
  for (let row = 0; row < table.size; row++) if (table.columns.seenAt[row] === 0) seen++;
});
console.log('entries visited', seen);
run('', 'timeout', true, 0);
run('udp dport:10000-10499', 'dst', false, 0);
run('dst:127.0.0.0/9', 'dport', false, 100_000);
run('', 'timeout', true, 100_000);
run('', 'proto', false, 100_000);
run('', 'proto', false, 0);
run('10500', 'id', false, 0);
const all = compileQuery('');
if (all.ok) time('aggregate', () => aggregate({ table, filter: all.filter, top: 10, establishedTimeout: 432_000 }));
