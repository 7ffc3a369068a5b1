import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRedis } from '@ctscope/testkit';
import { openBrowsers } from './browsers';
import { simHostId, startDashboard, type DashboardProcess } from './dashboard-process';
import { cpuSeconds, processTree, treeCpuSeconds, watchRss } from './proc-usage';
import { PROBE_HOST, startRelayProbe } from './relay-probe';

const CTSCOPE = fileURLToPath(new URL('../../../apps/agent/bin/ctscope.mjs', import.meta.url));
export const RECORDING = fileURLToPath(new URL('../../fleet/recording.json.gz', import.meta.url));
const REPLAY_AGENTS = fileURLToPath(new URL('./replay-agents.ts', import.meta.url));
/** Replayed hosts per process: one process holds a few hundred agent connections at 1 Hz easily. */
export const REPLAY_PER_PROCESS = 250;

export interface FleetRunOptions {
  agents: number;
  /**
   * `agents`: every host runs the real agent code (`ctscope simulate`: mirror, queries, sampler over a
   * replayed recording). `replay`: the hosts that browsers open a host page of run the real agent code; the
   * others only replay the statistics recorded from real traffic through the agent protocol, many
   * connections per process (replay-agents.ts): what the dashboard receives from a fleet, at a fraction
   * of the simulation's own CPU.
   */
  load: 'agents' | 'replay';
  /** 1, or 2 servers sharing a store and a private Redis (agents and browsers split between them). */
  servers: 1 | 2;
  browsers: number;
  /** How many of the browsers also keep a host page open. */
  hostPages: number;
  warmupSeconds: number;
  seconds: number;
  cpuProfileDir?: string;
}

export interface FleetMeasure {
  agents: number;
  /** Dashboard CPU over the measured window, % of one core: the busiest server's. */
  cpuPercent: number;
  /** Each server's CPU, % of one core (one entry with one server). */
  serverCpuPercent: number[];
  rssPeakMb: number;
  rssEndMb: number;
  p50: number;
  p95: number;
  p99: number;
  /** The relay probe's samples: the dashboard's part of the fan-out alone. */
  relayP50: number;
  relayP95: number;
  /** Samples received by the browsers / samples the agents should have sent them (1 Hz). */
  delivered: number;
  /** CPU of the simulated agents' processes and of the browser clients (this process), % of one core: where else the time went. */
  agentsCpuPercent: number;
  browsersCpuPercent: number;
  /** Machine load (1-minute average) at the start and end of the window. */
  load: [number, number];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

async function onlineCount(url: string, cookie: string): Promise<number> {
  const res = await fetch(`${url}/api/hosts`, { headers: { cookie } });
  const { hosts } = (await res.json()) as { hosts: { online: boolean; agent: { source: string } | null }[] };
  return hosts.filter((h) => h.online && h.agent?.source === 'replay').length;
}

/** A process's exit as a promise (resolved at once if it has exited). */
const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

/** Starts `hosts` replayed agents in processes of REPLAY_PER_PROCESS; resolves once all are welcomed. */
async function startReplayAgents(urls: readonly string[], tokensDir: string, hosts: readonly number[]): Promise<ChildProcess[]> {
  const children: ChildProcess[] = [];
  const welcomed: Promise<void>[] = [];
  for (let from = 0; from < hosts.length; from += REPLAY_PER_PROCESS) {
    const part = hosts.slice(from, from + REPLAY_PER_PROCESS);
    // With two servers, a process's hosts go to one of them, alternately (a balancer spreads connections).
    const url = urls[(from / REPLAY_PER_PROCESS) % urls.length] as string;
    const child = spawn(process.execPath, ['--import', 'tsx', REPLAY_AGENTS, url, tokensDir, RECORDING, String(part[0]), ...part.map(simHostId)], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    welcomed.push(
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${part.length} replayed agents not all welcomed within 300 s`)), 300_000);
        child.stdout?.once('data', () => (clearTimeout(timer), resolve()));
        child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`replay-agents exited with ${code}`))));
      }),
    );
  }
  try {
    await Promise.all(welcomed);
    return children;
  } catch (err) {
    for (const child of children) child.kill('SIGTERM');
    throw err;
  }
}

/** The dashboard servers: one, or two sharing a data directory (the store) and a private Redis. */
async function startServers(options: FleetRunOptions): Promise<{ servers: DashboardProcess[]; stop(): Promise<void> }> {
  const profile = options.cpuProfileDir ? { cpuProfileDir: options.cpuProfileDir } : {};
  if (options.servers === 1) {
    const dash = await startDashboard(profile);
    return { servers: [dash], stop: () => dash.stop() };
  }
  const redis = await startRedis();
  const dataDir = await mkdtemp(join(tmpdir(), 'ctscope-fleet-cluster-'));
  const env = { REDIS_URL: redis.url, CTSCOPE_CLUSTER_SECRET: randomBytes(32).toString('hex') };
  const servers: DashboardProcess[] = [];
  const stop = async () => {
    for (const s of servers) await s.stop();
    await redis.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    servers.push(await startDashboard({ ...profile, dataDir, env }));
    servers.push(await startDashboard({ ...profile, dataDir, env }));
    return { servers, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** One measurement: fresh dashboard server(s), N simulated agents at 1 Hz, the browsers; the servers watched. */
export async function runFleet(options: FleetRunOptions): Promise<FleetMeasure> {
  const { servers, stop } = await startServers(options);
  const [first] = servers as [DashboardProcess, ...DashboardProcess[]];
  const urls = servers.map((s) => s.url);
  const tokensDir = await mkdtemp(join(tmpdir(), 'ctscope-fleet-tokens-'));
  const replayTokensDir = await mkdtemp(join(tmpdir(), 'ctscope-fleet-replay-tokens-'));
  // The hosts browsers open a host page of (their queries need the agent's mirror) run the real agent code.
  const realAgents = options.load === 'agents' ? options.agents : Math.min(options.agents, options.hostPages);
  // Real agents each have a host of their own: spread them so the scheduler does not starve the fleet on a busy machine.
  const workers = Math.ceil(realAgents / 25);
  const processes: ChildProcess[] = [];
  let probe: { close(): void } | undefined;
  try {
    await first.enroll(realAgents, tokensDir);
    await first.enroll(options.agents - realAgents, replayTokensDir, realAgents);
    probe = startRelayProbe(first.url, await first.addHost(PROBE_HOST));
    const replayHosts = Array.from({ length: options.agents - realAgents }, (_, i) => realAgents + i);
    processes.push(...(await startReplayAgents(urls, replayTokensDir, replayHosts)));
    if (realAgents > 0) {
      const fleet = spawn(process.execPath, [CTSCOPE, 'simulate', '--dashboard', urls[urls.length - 1] as string, '--tokens-dir', tokensDir, '--recording', RECORDING, '--agents', String(realAgents), '--workers', String(workers)], {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, CTSCOPE_LOG_LEVEL: 'error' },
      });
      processes.push(fleet);
    }
    for (let i = 0; (await onlineCount(first.url, first.cookie)) < options.agents; i++) {
      const gone = processes.find((p) => p.exitCode !== null);
      if (gone) throw new Error(`a simulation process exited with ${gone.exitCode}`);
      if (i > 1_200) throw new Error(`not all ${options.agents} simulated hosts came online in 300 s`);
      await sleep(250);
    }
    const hostIds = Array.from({ length: options.agents }, (_, i) => simHostId(i));
    const browsers = await openBrowsers(servers.map((s) => ({ url: s.url, cookie: s.cookie })), options.browsers, options.hostPages, hostIds);
    try {
      await sleep(options.warmupSeconds * 1_000);
      const load0 = loadavg()[0] ?? 0;
      const rss = servers.map((s) => watchRss(s.pid));
      browsers.measure();
      const agentPids = (await Promise.all(processes.map((p) => processTree(p.pid as number)))).flat();
      const serverCpu = () => Promise.all(servers.map((s) => cpuSeconds(s.pid)));
      const [cpu0, agentCpu0, ownCpu0] = [await serverCpu(), await treeCpuSeconds(agentPids), process.cpuUsage()];
      const t0 = performance.now();
      await sleep(options.seconds * 1_000);
      const [cpu1, agentCpu1, ownCpu] = [await serverCpu(), await treeCpuSeconds(agentPids), process.cpuUsage(ownCpu0)];
      const elapsed = (performance.now() - t0) / 1_000;
      const { latencies, received, relay } = browsers.results();
      const memory = rss.map((r) => r.stop());
      latencies.sort();
      relay.sort();
      const serverCpuPercent = cpu1.map((c, i) => ((c - (cpu0[i] ?? 0)) / elapsed) * 100);
      return {
        agents: options.agents,
        cpuPercent: Math.max(...serverCpuPercent),
        serverCpuPercent,
        agentsCpuPercent: ((agentCpu1 - agentCpu0) / elapsed) * 100,
        browsersCpuPercent: ((ownCpu.user + ownCpu.system) / 1e6 / elapsed) * 100,
        rssPeakMb: Math.max(...memory.map((m) => m.peakMb)),
        rssEndMb: Math.max(...memory.map((m) => m.lastMb)),
        p50: quantile(latencies, 0.5),
        p95: quantile(latencies, 0.95),
        p99: quantile(latencies, 0.99),
        relayP50: quantile(relay, 0.5),
        relayP95: quantile(relay, 0.95),
        delivered: received / (options.agents * options.browsers * elapsed),
        load: [load0, loadavg()[0] ?? 0],
      };
    } finally {
      browsers.close();
    }
  } finally {
    for (const p of processes) p.kill('SIGTERM');
    probe?.close();
    await Promise.all(processes.map(exited));
    await stop();
    await rm(tokensDir, { recursive: true, force: true });
    await rm(replayTokensDir, { recursive: true, force: true });
  }
}
