import { spawn } from 'node:child_process';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { generateTraffic, skipKernelTests } from '@ctscope/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { CTSCOPE, Cleanups, agentInNetns, agentTestArgs, browserSocket, collectOutput, nextSample, stop } from './agent-harness';
import { startTestDashboard } from './test-dashboard';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

describe.skipIf(skipKernelTests())('agent against the real kernel', () => {
  it('reports the same count as `conntrack -C` in its namespace', async () => {
    const dash = await startTestDashboard();
    cleanups.add(() => dash.close());
    const browser = await browserSocket(dash, cleanups);
    const { ns } = await agentInNetns(dash, cleanups);
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
    cleanups.add(() => dash.close());
    const browser = await browserSocket(dash, cleanups);
    const { ns } = await agentInNetns(dash, cleanups);
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

    const { args } = await agentTestArgs(cleanups, `http://127.0.0.1:${port}`, token);
    const agent = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.add(() => stop(agent));
    const output = collectOutput(agent);
    // Startup (bundle, code ownership check, netlink) takes well over a second on a busy machine.
    for (let waited = 0; waited < 15_000 && !output.text().includes('dashboard unreachable'); waited += 250) await new Promise((r) => setTimeout(r, 250));
    expect(agent.exitCode).toBeNull();
    expect(output.text()).toContain('dashboard unreachable; retrying with backoff');

    // Same data directory is gone, so this is a fresh dashboard: register the agent's token again.
    const dash = await startTestDashboard({ port });
    cleanups.add(() => dash.close());
    const { sha256 } = await import('../auth/sessions');
    await dash.server.store.upsertHostToken('retry-host', 'retry-host', sha256(token));
    const browser = await browserSocket(dash, cleanups);
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
    cleanups.add(() => dash.close());
    const { args } = await agentTestArgs(cleanups, dash.url, 'w'.repeat(43));
    const agent = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const output = collectOutput(agent);
    const code = await new Promise<number | null>((resolve) => agent.once('exit', resolve));
    expect(code).toBe(1);
    expect(output.text()).toContain('unknown agent token');
  });
});
