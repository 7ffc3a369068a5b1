import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBrowsers } from './browsers';
import { startDashboard } from './dashboard-process';
import { cpuSeconds, processTree, treeCpuSeconds, watchRss } from './proc-usage';
import { PROBE_HOST, startRelayProbe } from './relay-probe';

const CTSCOPE = fileURLToPath(new URL('../../../apps/agent/bin/ctscope.mjs', import.meta.url));
export const RECORDING = fileURLToPath(new URL('../../fleet/recording.json.gz', import.meta.url));

export interface FleetRunOptions {
  agents: number;
  browsers: number;
  /** How many of the browsers also keep a host page open. */
  hostPages: number;
  warmupSeconds: number;
  seconds: number;
  cpuProfileDir?: string;
}

export interface FleetMeasure {
  agents: number;
  /** Dashboard CPU over the measured window, % of one core. */
  cpuPercent: number;
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

/** One measurement: a fresh dashboard, N simulated agents at 1 Hz, the browsers; the dashboard process watched. */
export async function runFleet(options: FleetRunOptions): Promise<FleetMeasure> {
  const dash = await startDashboard(options.cpuProfileDir ? { cpuProfileDir: options.cpuProfileDir } : {});
  const tokensDir = await mkdtemp(join(tmpdir(), 'ctscope-fleet-tokens-'));
  // Real agents each have a host of their own: spread them so the scheduler does not starve the fleet on a busy machine.
  const workers = Math.ceil(options.agents / 25);
  try {
    await dash.enroll(options.agents, tokensDir);
    const probe = startRelayProbe(dash.url, await dash.addHost(PROBE_HOST));
    const fleet = spawn(process.execPath, [CTSCOPE, 'simulate', '--dashboard', dash.url, '--tokens-dir', tokensDir, '--recording', RECORDING, '--agents', String(options.agents), '--workers', String(workers)], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, CTSCOPE_LOG_LEVEL: 'error' },
    });
    try {
      for (let i = 0; (await onlineCount(dash.url, dash.cookie)) < options.agents; i++) {
        if (fleet.exitCode !== null) throw new Error(`the simulation exited with ${fleet.exitCode}`);
        if (i > 480) throw new Error(`not all ${options.agents} simulated hosts came online in 120 s`);
        await sleep(250);
      }
      const hostIds = Array.from({ length: options.agents }, (_, i) => `sim-${String(i).padStart(4, '0')}`);
      const browsers = await openBrowsers(dash.url, dash.cookie, options.browsers, options.hostPages, hostIds);
      try {
        await sleep(options.warmupSeconds * 1_000);
        const load0 = loadavg()[0] ?? 0;
        const rss = watchRss(dash.pid);
        browsers.measure();
        const agentPids = await processTree(fleet.pid as number);
        const [cpu0, agentCpu0, ownCpu0] = [await cpuSeconds(dash.pid), await treeCpuSeconds(agentPids), process.cpuUsage()];
        const t0 = performance.now();
        await sleep(options.seconds * 1_000);
        const [cpu1, agentCpu1, ownCpu] = [await cpuSeconds(dash.pid), await treeCpuSeconds(agentPids), process.cpuUsage(ownCpu0)];
        const elapsed = (performance.now() - t0) / 1_000;
        const { latencies, received, relay } = browsers.results();
        const memory = rss.stop();
        latencies.sort();
        relay.sort();
        return {
          agents: options.agents,
          cpuPercent: ((cpu1 - cpu0) / elapsed) * 100,
          agentsCpuPercent: ((agentCpu1 - agentCpu0) / elapsed) * 100,
          browsersCpuPercent: ((ownCpu.user + ownCpu.system) / 1e6 / elapsed) * 100,
          rssPeakMb: memory.peakMb,
          rssEndMb: memory.lastMb,
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
      const fleetStopped = new Promise<void>((resolve) => (fleet.exitCode !== null ? resolve() : fleet.once('exit', () => resolve())));
      fleet.kill('SIGTERM');
      probe.close();
      await fleetStopped;
    }
  } finally {
    await dash.stop();
    await rm(tokensDir, { recursive: true, force: true });
  }
}
