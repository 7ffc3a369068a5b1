// Shared pieces of the kernel tests that run a real agent against a real dashboard.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROTOCOL_VERSION, type HostSamples, type HostStats } from '@ctscope/protocol';
import { bridgeIntoNetns, createNetns, type Netns, type NetnsBridge } from '@ctscope/testkit';
import { io, type Socket } from 'socket.io-client';
import type { TestDashboard } from './test-dashboard';

export const CTSCOPE = fileURLToPath(new URL('../../../../agent/bin/ctscope.mjs', import.meta.url));

export type Cleanup = () => Promise<void> | void;

/** Cleanups run in reverse order after each test (call `runCleanups` from afterEach). */
export class Cleanups {
  private readonly list: Cleanup[] = [];
  add(cleanup: Cleanup): void {
    this.list.push(cleanup);
  }
  async run(): Promise<void> {
    for (const cleanup of this.list.splice(0).reverse()) await cleanup();
  }
}

/** A private temporary directory, removed after the test. */
export async function tempDir(cleanups: Cleanups): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ctscope-agent-test-'));
  cleanups.add(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

export function collectOutput(child: ChildProcess): { text: () => string } {
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return { text: () => out };
}

export async function browserSocket(dash: TestDashboard, cleanups: Cleanups, cookie?: string): Promise<Socket> {
  const socket = io(`${dash.url}/browsers`, {
    transports: ['websocket'],
    forceNew: true,
    auth: { protocolVersion: PROTOCOL_VERSION },
    extraHeaders: { cookie: cookie ?? (await dash.login()), origin: dash.url },
  });
  cleanups.add(() => void socket.close());
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('connect_error', reject));
  return socket;
}

/** Calls `listener` with each host sample a browser socket receives (they arrive in batches); returns the way to stop. */
export function onHostSamples(socket: Pick<Socket, 'on' | 'off'>, listener: (stats: HostStats) => void): () => void {
  const onBatch = (batch: HostSamples) => batch.samples.forEach(listener);
  socket.on('hosts:sampled', onBatch);
  return () => void socket.off('hosts:sampled', onBatch);
}

export const nextSample = (socket: Socket, after: number) =>
  new Promise<HostStats['sample']>((resolve) => {
    const stop = onHostSamples(socket, (stats) => {
      if (stats.sample.at <= after) return;
      stop();
      resolve(stats.sample);
    });
  });

/** The agent's flags for a test: its own audit file and metrics port, so tests never share them. */
export async function agentTestArgs(cleanups: Cleanups, dashboardUrl: string, token: string): Promise<{ args: string[]; auditFile: string }> {
  const dir = await tempDir(cleanups);
  const tokenFile = join(dir, 'agent.token');
  await writeFile(tokenFile, token, { mode: 0o600 });
  const auditFile = join(dir, 'audit.jsonl');
  return { args: [CTSCOPE, 'agent', '--dashboard', dashboardUrl, '--token-file', tokenFile, '--audit-file', auditFile, '--metrics', 'off'], auditFile };
}

export interface NetnsAgent {
  ns: Netns;
  agent: ChildProcess;
  auditFile: string;
  /** The namespace-side port the agent dials to reach the dashboard (cut it to cut the agent off). */
  dashboardPort: number;
  /** Starts another agent process with the same arguments (after the first one was killed), optionally dialing another namespace-side port. */
  respawn(dashboardPort?: number): ChildProcess;
}

/** A real agent inside a fresh namespace, reaching the dashboard through a bridge. */
export async function agentInNetns(dash: TestDashboard, cleanups: Cleanups, extraArgs: string[] = [], hooks = true): Promise<NetnsAgent> {
  const ns = await createNetns({ hooks });
  cleanups.add(() => ns.destroy());
  const bridge: NetnsBridge = await bridgeIntoNetns(ns, Number(new URL(dash.url).port));
  cleanups.add(() => bridge.close());
  // The bridge relays bytes: an https dashboard is reached over TLS end to end, verified by the agent.
  const scheme = new URL(dash.url).protocol;
  const { args, auditFile } = await agentTestArgs(cleanups, `${scheme}//127.0.0.1:${bridge.nsPort}`, await dash.agentToken());
  const spawnAgent = (dashboardPort = bridge.nsPort) => {
    const dialing = args.map((arg, i) => (args[i - 1] === '--dashboard' ? `${scheme}//127.0.0.1:${dashboardPort}` : arg));
    const child = ns.spawn(process.execPath, [...dialing, ...extraArgs]);
    cleanups.add(() => stop(child));
    return child;
  };
  return { ns, agent: spawnAgent(), auditFile, dashboardPort: bridge.nsPort, respawn: spawnAgent };
}
