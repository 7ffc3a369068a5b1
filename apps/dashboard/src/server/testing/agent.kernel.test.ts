import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROTOCOL_VERSION, type HostStats } from '@ctscope/protocol';
import { bridgeIntoNetns, createNetns, generateTraffic, skipKernelTests, type Netns, type NetnsBridge } from '@ctscope/testkit';
import { io, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestDashboard, type TestDashboard } from './test-dashboard';

const CTSCOPE = fileURLToPath(new URL('../../../../agent/bin/ctscope.mjs', import.meta.url));

const cleanups: Array<() => Promise<void> | void> = [];

/** A private temporary directory for token files, removed after the test. */
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ctscope-agent-test-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function collectOutput(child: ChildProcess): { text: () => string } {
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return { text: () => out };
}

async function browserSocket(dash: TestDashboard): Promise<Socket> {
  const socket = io(`${dash.url}/browsers`, {
    transports: ['websocket'],
    forceNew: true,
    auth: { protocolVersion: PROTOCOL_VERSION },
    extraHeaders: { cookie: await dash.login(), origin: dash.url },
  });
  cleanups.push(() => void socket.close());
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('connect_error', reject));
  return socket;
}

const nextSample = (socket: Socket, after: number) =>
  new Promise<HostStats['sample']>((resolve) => {
    const onSample = (stats: HostStats) => {
      if (stats.sample.at <= after) return;
      socket.off('host:sampled', onSample);
      resolve(stats.sample);
    };
    socket.on('host:sampled', onSample);
  });

async function agentInNetns(dash: TestDashboard): Promise<{ ns: Netns; agent: ChildProcess }> {
  const ns = await createNetns();
  cleanups.push(() => ns.destroy());
  const bridge: NetnsBridge = await bridgeIntoNetns(ns, Number(new URL(dash.url).port));
  cleanups.push(() => bridge.close());
  const tokenFile = join(await tempDir(), 'agent.token');
  await writeFile(tokenFile, await dash.agentToken(), { mode: 0o600 });
  const agent = ns.spawn(process.execPath, [CTSCOPE, 'agent', '--dashboard', `http://127.0.0.1:${bridge.nsPort}`, '--token-file', tokenFile]);
  cleanups.push(() => stop(agent));
  return { ns, agent };
}

describe.skipIf(skipKernelTests())('agent against the real kernel', () => {
  it('reports the same count as `conntrack -C` in its namespace', async () => {
    const dash = await startTestDashboard();
    cleanups.push(() => dash.close());
    const browser = await browserSocket(dash);
    const { ns } = await agentInNetns(dash);
    const first = await nextSample(browser, 0);
    expect(first.hooksActive).toBe(true);
    expect(first.max).toBeGreaterThan(0);

    await generateTraffic(ns, { tcp: 15, udp: 20, icmp: 3, ipv6: true });
    // The table is quiet after the generator finishes: the count is stable unless something expires.
    for (let attempt = 0; ; attempt++) {
      const before = Number((await ns.conntrack(['-C'])).stdout.trim());
      const sample = await nextSample(browser, Date.now());
      const after = Number((await ns.conntrack(['-C'])).stdout.trim());
      if (before !== after && attempt < 5) continue;
      expect(before).toBeGreaterThanOrEqual(first.count + 15 * 2 + 20 * 2);
      expect(sample.count).toBe(after);
      break;
    }
  });

  it('sends per-CPU counters like `conntrack -S`', async () => {
    const dash = await startTestDashboard();
    cleanups.push(() => dash.close());
    const browser = await browserSocket(dash);
    const { ns } = await agentInNetns(dash);
    const sample = await nextSample(browser, 0);
    const cliCpus = (await ns.conntrack(['-S'])).stdout.trim().split('\n').length;
    expect(sample.cpu.map((c) => c.cpu)).toEqual([...Array(cliCpus).keys()]);
  });

  it('keeps retrying while the dashboard is away and connects when it appears', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));

    const early = await startTestDashboard({ port });
    const token = await early.agentToken();
    await early.close();

    const tokenFile = join(await tempDir(), 'agent.token');
    await writeFile(tokenFile, token, { mode: 0o600 });
    const agent = spawn(process.execPath, [CTSCOPE, 'agent', '--dashboard', `http://127.0.0.1:${port}`, '--token-file', tokenFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(() => stop(agent));
    const output = collectOutput(agent);
    await new Promise((r) => setTimeout(r, 2500));
    expect(agent.exitCode).toBeNull();
    expect(output.text()).toContain('dashboard unreachable; retrying with backoff');

    // Same data directory is gone, so this is a fresh dashboard: register the agent's token again.
    const dash = await startTestDashboard({ port });
    cleanups.push(() => dash.close());
    const { sha256 } = await import('../auth/sessions');
    dash.server.store.upsertHostToken('retry-host', 'retry-host', sha256(token));
    const browser = await browserSocket(dash);
    const sample = await nextSample(browser, 0);
    expect(sample.max).toBeGreaterThan(0);
  });

  it('exits non-zero naming the missing capability when not root', async () => {
    const agent = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', process.execPath, CTSCOPE, 'agent', '--dashboard', 'http://127.0.0.1:9', '--token-file', '/nonexistent'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: tmpdir(),
    });
    const output = collectOutput(agent);
    const code = await new Promise<number | null>((resolve) => agent.once('exit', resolve));
    expect(code).toBe(1);
    expect(output.text()).toContain('needs CAP_NET_ADMIN');
  });

  it('exits non-zero when the dashboard refuses its token', async () => {
    const dash = await startTestDashboard();
    cleanups.push(() => dash.close());
    const tokenFile = join(await tempDir(), 'wrong.token');
    await writeFile(tokenFile, 'w'.repeat(43), { mode: 0o600 });
    const agent = spawn(process.execPath, [CTSCOPE, 'agent', '--dashboard', dash.url, '--token-file', tokenFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    const output = collectOutput(agent);
    const code = await new Promise<number | null>((resolve) => agent.once('exit', resolve));
    expect(code).toBe(1);
    expect(output.text()).toContain('unknown agent token');
  });
});
