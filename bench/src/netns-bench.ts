import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createNetns, fillConntrack, type Netns } from '@ctscope/testkit';
import type { NetnsProbeOutput } from '../../apps/agent/src/netns/bench/netns-probe';
import { agentNodeFlags, bundleLikeAgent } from './agent-bundle';
import { withTableSize } from './big-table';
import { atMost, measured, type BenchResult } from './results';

const PROBE = fileURLToPath(new URL('../../apps/agent/src/netns/bench/netns-probe.ts', import.meta.url));
const run = promisify(execFile);

export interface NetnsBenchOptions {
  namespaces: number;
  entriesEach: number;
  rounds: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
};

/**
 * Per-namespace counts (issue #18 item 2): `namespaces` namespaces holding `entriesEach` real UDP entries
 * each, then the agent's count pass, measured in a process of its own like the agent's. Every namespace
 * is deleted and nf_conntrack_max restored whatever happens.
 */
export async function netnsBenchmark(options: NetnsBenchOptions, log: (line: string) => void): Promise<BenchResult[]> {
  const total = options.namespaces * options.entriesEach;
  return withTableSize(total, async () => {
    const made: Netns[] = [];
    try {
      const started = Date.now();
      for (let i = 0; i < options.namespaces; i++) {
        const ns = await createNetns();
        made.push(ns);
        await fillConntrack(ns, options.entriesEach);
      }
      log(`${options.namespaces} namespaces × ${options.entriesEach} entries made in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      const probe = await bundleLikeAgent(PROBE, 'netns-probe');
      const { stdout } = await run(process.execPath, [...(await agentNodeFlags()), probe, String(options.rounds)], { maxBuffer: 64 * 1024 * 1024 });
      const output = JSON.parse(stdout) as NetnsProbeOutput;
      // The counts must be right, or the timing means nothing: each of ours against `conntrack -C` inside it.
      let checked = 0;
      for (const ns of made) {
        const inode = String(statSync(`/run/netns/${ns.name}`).ino);
        const cli = Number((await ns.conntrack(['-C'])).stdout.trim());
        if (output.lastCounts[inode] !== cli) throw new Error(`namespace ${ns.name}: the agent counted ${output.lastCounts[inode]}, conntrack -C says ${cli}`);
        checked += cli;
      }
      log(`counts equal conntrack -C in all ${made.length} namespaces (${checked} entries)`);
      for (const r of output.rounds) log(`pass: ${r.counted} namespaces counted of ${r.seen} seen, ${r.entries} entries; process CPU ${r.processCpuMs.toFixed(1)} ms, booked ${r.bookedCpuMs.toFixed(1)} ms, wall ${r.wallMs.toFixed(1)} ms, next in ${r.nextInMs} ms`);
      const cpu = median(output.rounds.map((r) => r.processCpuMs));
      const booked = median(output.rounds.map((r) => r.bookedCpuMs));
      const interval = median(output.rounds.map((r) => r.nextInMs));
      const counted = output.rounds[0]?.counted ?? 0;
      return [
        atMost(`netns count pass: agent CPU over ${counted} namespaces, ${total} entries (median of ${output.rounds.length})`, cpu, 'ms', 1000),
        measured(`netns count pass: wall time over ${counted} namespaces (median of ${output.rounds.length})`, median(output.rounds.map((r) => r.wallMs)), 'ms'),
        measured('netns count pass: CPU the agent books for spacing (discovery wall + counting thread)', booked, 'ms'),
        measured('netns count pass: interval chosen, max(10 s, 50 × booked CPU)', interval, 'ms'),
        atMost('netns count passes: share of one core (process CPU / interval)', (cpu / interval) * 100, '%', 2),
      ];
    } finally {
      for (const ns of made) await ns.destroy();
    }
  });
}
