// CPU time of the UDP black hole's pass over the mirror (udpCandidateGroups) and of counting its delete
// queries (countMatches), and of the table-by-state count, on synthetic entries (no
// kernel): `tsx udp-groups-bench.ts [entries]`. Two tables: a mixed one (2/3 TCP, 1/3 UDP to 4,096
// plain destinations: the first pass only), and the worst case, every entry UDP to 200 DNATed service
// addresses with 3 backends each (every row grouped in the second pass).
import type { Flow } from '@ctscope/conntrack';
import { FlowTable } from '../../mirror/flow-table';
import { entry } from '../../query/testing/entries';
import { countFillers } from '../table-by-state';
import { udpCandidateGroups } from '../udp-groups';
import { countMatches } from '../udp-matches';

const n = Number(process.argv[2] ?? 1_000_000);

function dnat(i: number): Flow {
  const s = (i * 2_654_435_761) % 65_536;
  const vip = i % 200;
  const backend = (i >> 8) % 3;
  return {
    family: 'ipv4',
    proto: 'udp',
    protoNum: 17,
    orig: { src: `10.${s >> 8}.${s & 255}.1`, dst: `10.96.0.${vip}`, protoNum: 17, sport: 1024 + (i % 60_000), dport: 53 },
    reply: { src: `10.244.${vip}.${backend + 1}`, dst: `10.${s >> 8}.${s & 255}.1`, protoNum: 17, sport: 53, dport: 1024 + (i % 60_000) },
    status: i % 7 === 0 ? ['CONFIRMED', 'DST_NAT', 'DST_NAT_DONE'] : ['SEEN_REPLY', 'CONFIRMED', 'DST_NAT', 'DST_NAT_DONE'],
    statusBits: (i % 7 === 0 ? 0 : 2) | 8 | 32 | 256,
    timeout: 30,
    id: i + 1,
  };
}

function measure(name: string, table: FlowTable, pass: (table: FlowTable) => number = (t) => udpCandidateGroups(t).length, what = 'candidate groups'): void {
  const cpu: number[] = [];
  let groups = 0;
  for (let i = 0; i < 15; i++) {
    const c = process.cpuUsage();
    groups = pass(table);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
  }
  cpu.sort((a, b) => a - b);
  console.log(`${name}: ${table.size} entries, ${groups} ${what}: pass cpu p50 ${(cpu[7] ?? 0).toFixed(1)} ms, max ${(cpu[14] ?? 0).toFixed(1)} ms`);
}

const mixed = new FlowTable();
for (let i = 0; i < n; i++) {
  const s = (i * 2_654_435_761) % 65_536;
  const d = (i * 40_503) % 4_096;
  mixed.set(entry({ src: `10.${s >> 8}.${s & 255}.1`, dst: `172.16.${d >> 8}.${d & 255}`, sport: 1024 + (i % 60_000), dport: 1 + (i % 2_000), id: i + 1, ...(i % 3 === 0 ? { proto: 'udp' as const } : { state: 'ESTABLISHED' }) }).flow, 0, false);
}
measure('mixed TCP/UDP, no NAT', mixed);
measure('table filled by state (count pass), mixed', mixed, (t) => countFillers(t).counts.UNREPLIED, 'unreplied');
const services = new FlowTable();
for (let i = 0; i < n; i++) services.set(dnat(i), 0, false);
measure('all UDP, DNATed to 3 backends per service', services);
// The delete queries of ten black holes, counted together in one pass (what a dry run of each will find).
const ten = Array.from({ length: 10 }, (_, k) => ({ ipv6: false, dst: `10.96.0.${k}`, dport: 53, replySrc: `10.244.${k}.1`, unreplied: false }));
measure('ten delete queries counted', services, (t) => countMatches(t, ten).reduce((sum, r) => sum + r.count, 0), 'entries matched');
