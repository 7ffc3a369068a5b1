import { positiveFrom } from './machine';
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Netns } from '@ctscope/testkit';
import { agentNodeFlags, bundleLikeAgent } from './agent-bundle';
import { buildChurnGenerator, type ChurnResult } from './churn';
import { populatedNetns } from './namespace';
import { atMost, measured, type BenchResult } from './results';

const PROBE_SOURCE = fileURLToPath(new URL('../../apps/agent/src/mirror/testing/mirror-probe.ts', import.meta.url));
const CLK_TCK = 100; // USER_HZ: /proc/PID/stat counts CPU time in these on every Linux architecture
/** How long after the load stops the mirror may take to equal `conntrack -L` (the goal), and how long we look. */
const CONVERGE_GOAL_MS = 5000;
const CONVERGE_GIVE_UP_MS = 30_000;

export interface SustainedEventsOptions {
  /** New UDP flows per second (each makes a NEW and, a second later, a DESTROY event). */
  flowsPerSecond: number;
  seconds: number;
  /** Receive buffer of the agent's event socket and of `conntrack -E -b`. */
  bufferBytes: number;
  /** Long-lived entries in the table beside the churn, which the comparison after the load checks. */
  base: number;
}

/**
 * The options from the environment: BENCH_EVENTS_RATE (56,000 new flows/s, so 112,000 events/s: the
 * goal's 100,000 with a margin for the generator's pauses), BENCH_EVENTS_SECONDS (60),
 * BENCH_EVENTS_BUFFER (8 MiB, the agent's default --event-buffer), BENCH_EVENTS_BASE (20,000 long-lived
 * entries beside the churn). Exits 2 on a value that is not a positive number.
 */
export function sustainedEventsOptions(): SustainedEventsOptions {
  return {
    flowsPerSecond: positiveFrom('BENCH_EVENTS_RATE', 56_000),
    seconds: positiveFrom('BENCH_EVENTS_SECONDS', 60),
    bufferBytes: positiveFrom('BENCH_EVENTS_BUFFER', 8 * 1024 * 1024),
    base: positiveFrom('BENCH_EVENTS_BASE', 20_000),
  };
}

type Counts = { NEW: number; UPDATE: number; DESTROY: number };
interface Snapshot {
  keys: string[];
  received: Counts;
  lostEvents: number;
  health: { overruns: number; resyncs: number; events: Counts; lastResync: { reason: string } | null };
}

/** utime + stime of a process, in seconds. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** The per-namespace counters that say a packet made no entry (conntrack -S, summed over CPUs). */
async function droppedEntries(ns: Netns): Promise<number> {
  const { stdout } = await ns.conntrack(['-S']);
  let total = 0;
  for (const m of stdout.matchAll(/\b(?:insert_failed|drop|early_drop)=(\d+)/g)) total += Number(m[1]);
  return total;
}

/** `id proto src dst sport dport` of each entry of `conntrack -L -o id`, as the probe prints its own. */
async function kernelKeys(ns: Netns): Promise<string[]> {
  const { stdout } = await ns.conntrack(['-L', '-o', 'id']);
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const field = (name: string) => new RegExp(`\\b${name}=(\\S+)`).exec(line)?.[1] ?? '-';
      return `${/ id=(\d+)\s*$/.exec(line)?.[1] ?? '?'} ${line.split(/\s+/)[0]} ${field('src')} ${field('dst')} ${field('sport')} ${field('dport')}`;
    });
}

/** The mirror probe, started like the agent (its bundle, its V8 flags, its event buffer and check interval). */
async function startProbe(ns: Netns, bufferBytes: number): Promise<{ child: ChildProcess; snapshot: () => Promise<Snapshot> }> {
  const probe = await bundleLikeAgent(PROBE_SOURCE, 'mirror-probe');
  const child = ns.spawn(process.execPath, [...(await agentNodeFlags()), probe, String(bufferBytes), '0']);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  const until = async (check: () => boolean, what: string) => {
    for (const started = Date.now(); !check(); await new Promise((r) => setTimeout(r, 20)))
      if (Date.now() - started > 60_000) throw new Error(`the mirror probe did not ${what} within 60 s`);
  };
  await until(() => out.includes('"ready"'), 'start');
  return {
    child,
    snapshot: async () => {
      const before = out.length;
      child.kill('SIGUSR2');
      await until(() => out.length > before && out.endsWith('\n'), 'answer');
      return JSON.parse(out.slice(before).trim().split('\n').pop() ?? '{}') as Snapshot;
    },
  };
}

/** `conntrack -E -b BYTES`, its lines counted by event type as they arrive, and its ENOBUFS warnings. */
function startConntrackEvents(ns: Netns, bufferBytes: number) {
  const child = ns.spawn('conntrack', ['-E', '-b', String(bufferBytes)]);
  const counts: Counts = { NEW: 0, UPDATE: 0, DESTROY: 0 };
  let warnings = 0;
  let carry = '';
  child.stdout?.on('data', (d: Buffer) => {
    const text = carry + d.toString('latin1');
    const lines = text.split('\n');
    carry = lines.pop() ?? '';
    for (const line of lines) {
      const type = /\[(NEW|UPDATE|DESTROY)\]/.exec(line.slice(0, 16))?.[1] as keyof Counts | undefined;
      if (type) counts[type]++;
    }
  });
  child.stderr?.on('data', (d: Buffer) => (warnings += (d.toString().match(/ENOBUFS/g) ?? []).length));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, counts, warnings: () => warnings, stop: async () => (child.kill('SIGTERM'), await exited) };
}

const sameKeys = (a: readonly string[], b: readonly string[]) => {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((k) => set.has(k));
};

/**
 * Item 3 of issue #15: a namespace creates and destroys short UDP flows (real packets from
 * bench/native/udp-churn.c; a 1 s UDP timeout in the namespace lets them die) for `seconds`, while the
 * agent's mirror (the real Mirror and NetlinkSource in a process started like the agent) and
 * `conntrack -E` with the same buffer follow it. Every event is accounted for: the kernel made one
 * NEW and one DESTROY per entry created (datagrams sent minus the drops `conntrack -S` counts), so
 * lost = made - received, for both. Then: how long after the load stops the mirror equals
 * `conntrack -L` (ids and tuples), and the agent's CPU during the load (from /proc/PID/stat).
 */
export async function sustainedEventsBenchmark(options: SustainedEventsOptions): Promise<{ results: BenchResult[]; log: string[] }> {
  const { flowsPerSecond, seconds, bufferBytes, base } = options;
  const generator = await buildChurnGenerator();
  const ns = await populatedNetns(base);
  const log: string[] = [];
  try {
    // Entries keep the timeout of the moment they were made: the base stays for an hour, the churn dies in 1 s.
    await ns.sysctl('net.netfilter.nf_conntrack_udp_timeout', 1);
    const probe = await startProbe(ns, bufferBytes);
    const cli = startConntrackEvents(ns, bufferBytes);
    await new Promise((r) => setTimeout(r, 1000));
    const pid = probe.child.pid ?? 0;
    const droppedBefore = await droppedEntries(ns);
    const cpuBefore = await cpuSeconds(pid);
    const cliPid = cli.child.pid ?? 0;
    const cliCpuBefore = await cpuSeconds(cliPid);
    const started = Date.now();
    const churn = JSON.parse((await ns.exec(generator.path, [String(flowsPerSecond), String(seconds), String(base)])).stdout.trim()) as ChurnResult;
    const stopped = Date.now();
    const agentCpu = (await cpuSeconds(pid)) - cpuBefore;
    const cliCpu = (await cpuSeconds(cliPid)) - cliCpuBefore;
    const wall = (stopped - started) / 1000;

    // Poll until the mirror equals the kernel table (ids and tuples); listing the table also makes the
    // kernel evict expired entries, which sends their DESTROY events.
    let convergedMs: number | null = null;
    let snapshot: Snapshot | undefined;
    let kernel: string[] = [];
    while (Date.now() - stopped < CONVERGE_GIVE_UP_MS) {
      kernel = await kernelKeys(ns);
      snapshot = await probe.snapshot();
      if (sameKeys(kernel, snapshot.keys)) {
        convergedMs = Date.now() - stopped;
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    // Every churn entry is gone now (or we gave up): let the last events arrive, then count.
    await new Promise((r) => setTimeout(r, 1000));
    snapshot = await probe.snapshot();
    await cli.stop();
    probe.child.kill('SIGTERM');
    const made = churn.sent - ((await droppedEntries(ns)) - droppedBefore);
    const left = kernel.length - base; // churn entries still in the table if we gave up
    const ours = snapshot.received;
    const lost = (counts: Counts) => made - counts.NEW + (made - left - counts.DESTROY);
    const eventsPerSecond = (2 * made) / wall;
    log.push(
      `churn: ${JSON.stringify(churn)}; entries made ${made}; table ${kernel.length} (base ${base}) at the end`,
      `agent: received ${JSON.stringify(ours)}, applied ${JSON.stringify(snapshot.health.events)}, ${snapshot.health.overruns} overruns, ${snapshot.health.resyncs} resyncs (last: ${snapshot.health.lastResync?.reason ?? 'none'}), CPU ${agentCpu.toFixed(1)} s in ${wall.toFixed(1)} s`,
      `conntrack -E: received ${JSON.stringify(cli.counts)}, ${cli.warnings()} ENOBUFS warnings, CPU ${cliCpu.toFixed(1)} s`,
    );
    const suffix = `${flowsPerSecond} flows/s for ${seconds} s, -b ${bufferBytes}`;
    return {
      log,
      results: [
        measured(`events made by the kernel per second (NEW + DESTROY of ${made} short UDP flows over ${wall.toFixed(1)} s)`, eventsPerSecond, 'events/s'),
        measured(`agent events received (NEW + DESTROY), ${suffix}`, ours.NEW + ours.DESTROY, 'events'),
        measured(`agent events lost: made - received (${snapshot.health.overruns} overrun signals, healed by ${snapshot.health.resyncs - 1} resyncs), ${suffix}`, lost(ours), 'events'),
        measured(`agent events lost as the kernel counted them for its socket (SK_MEMINFO_DROPS)`, snapshot.lostEvents, 'events'),
        measured(`conntrack -E -b ${bufferBytes} events received (NEW + DESTROY)`, cli.counts.NEW + cli.counts.DESTROY, 'events'),
        measured(`conntrack -E events lost: made - received (${cli.warnings()} ENOBUFS warnings)`, lost(cli.counts), 'events'),
        atMost(`agent CPU while following ${eventsPerSecond.toFixed(0)} events/s (from /proc/PID/stat)`, (100 * agentCpu) / wall, '% of a core', 100),
        measured(`conntrack -E CPU meanwhile`, (100 * cliCpu) / wall, '% of a core'),
        convergedMs === null
          ? { ...atMost(`mirror equal to conntrack -L (ids and tuples) after the load stops: not within ${CONVERGE_GIVE_UP_MS} ms`, CONVERGE_GIVE_UP_MS, 'ms', CONVERGE_GOAL_MS), met: false }
          : atMost(`mirror equal to conntrack -L (ids and tuples, ${kernel.length} entries) after the load stops`, convergedMs, 'ms', CONVERGE_GOAL_MS),
      ],
    };
  } finally {
    await ns.destroy();
    await generator.remove();
  }
}
