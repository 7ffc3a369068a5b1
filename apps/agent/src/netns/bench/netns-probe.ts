// Measures per-namespace count passes as the agent runs them (bench/src/netns-bench.ts bundles and
// starts it with the agent's V8 flags): `node netns-probe.mjs ROUNDS`. Prints one JSON line.
import pino from 'pino';
import { NetnsCounter } from '../counter';

export interface NetnsProbeOutput {
  rounds: Array<{
    /** CPU of this whole process (all threads) over the pass: user + system. */
    processCpuMs: number;
    /** What the agent books for the pass (discovery wall time + the counting thread's CPU). */
    bookedCpuMs: number;
    wallMs: number;
    nextInMs: number;
    counted: number;
    seen: number;
    unreadable: number;
    entries: number;
  }>;
  /** Inode → entries of the last pass, for the caller to check against `conntrack -C`. */
  lastCounts: Record<string, number>;
}

const rounds = Math.max(1, Number(process.argv[2] ?? 5) || 5);
const counter = new NetnsCounter({ logger: pino({ level: 'silent' }) });
const output: NetnsProbeOutput = { rounds: [], lastCounts: {} };
await counter.pass(); // warm: module load, JIT
for (let i = 0; i < rounds; i++) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const pass = await counter.pass();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  output.rounds.push({
    processCpuMs: (used.user + used.system) / 1000,
    bookedCpuMs: pass.cpuMs,
    wallMs,
    nextInMs: pass.nextInMs,
    counted: pass.byNetns.length,
    seen: pass.seen,
    unreadable: pass.unreadable,
    entries: pass.byNetns.reduce((sum, ns) => sum + ns.entries, 0),
  });
  output.lastCounts = Object.fromEntries(pass.byNetns.map((ns) => [ns.netns, ns.entries]));
}
process.stdout.write(`${JSON.stringify(output)}\n`);
