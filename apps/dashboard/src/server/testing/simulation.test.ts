// The fleet simulation against a real dashboard: `ctscope simulate` runs three agents (the real agent code)
// replaying the committed recording of real kernel traffic; the dashboard lists them as simulated hosts.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { enrollmentResponseSchema, type HostStats, type HostSummary } from '@ctscope/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { browserSocket, Cleanups, collectOutput, CTSCOPE, onHostSamples, stop, tempDir } from './agent-harness';
import { startTestDashboard } from './test-dashboard';

const RECORDING = fileURLToPath(new URL('../../../../../bench/fleet/recording.json.gz', import.meta.url));
const cleanups = new Cleanups();
afterEach(() => cleanups.run());

describe('fleet simulation', () => {
  it('three simulated agents show up online, marked as simulated, with counts that follow the replayed traffic', { timeout: 60_000 }, async () => {
    const dash = await startTestDashboard();
    cleanups.add(() => dash.close());
    const cookie = await dash.login();
    const tokensDir = await tempDir(cleanups);
    for (const id of ['sim-a', 'sim-b', 'sim-c']) {
      const res = await fetch(`${dash.url}/api/hosts`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ id, hostname: id }) });
      expect(res.status).toBe(201);
      const { enrollment } = enrollmentResponseSchema.parse(await res.json());
      await writeFile(join(tokensDir, `${id}.token`), enrollment.token, { mode: 0o600 });
    }
    const browser = await browserSocket(dash, cleanups, cookie);
    const counts = new Map<string, Set<number>>();
    onHostSamples(browser, ({ hostId, sample }: HostStats) => counts.set(hostId, (counts.get(hostId) ?? new Set()).add(sample.count)));

    const fleet = spawn(process.execPath, [CTSCOPE, 'simulate', '--dashboard', dash.url, '--tokens-dir', tokensDir, '--recording', RECORDING, '--interval', '0.5'], {
      env: { ...process.env, CTSCOPE_LOG_LEVEL: 'info' },
    });
    const output = collectOutput(fleet);
    cleanups.add(() => stop(fleet));

    const simulatedOnline = async () => {
      const hosts = await browser.emitWithAck('hosts:list', {});
      return (hosts as { ok: true; data: HostSummary[] }).data.filter((h) => h.online && h.agent?.source === 'replay').map((h) => h.agent?.hostname).sort();
    };
    await expect.poll(simulatedOnline, { timeout: 30_000, interval: 250 }).toEqual(['sim-a', 'sim-b', 'sim-c']);
    // Counts follow the replayed table: each host's count changes as recorded entries come and go.
    await expect.poll(() => [...counts.values()].filter((seen) => seen.size >= 2).length, { timeout: 20_000, interval: 250 }).toBe(3);
    expect(output.text()).toContain('SIMULATED host');
    // A simulated host runs on this machine but is not it: changing firewall rules (or sysctls) is refused.
    const removal = await browser.emitWithAck('rules:remove', { hostId: 'sim-a', all: true });
    expect(removal).toMatchObject({ ok: false, code: 'FORBIDDEN', message: expect.stringMatching(/simulated/) });
    // Nor is a snapshot taken of it: its sysctls, rules and kernel log would be this machine's.
    const snapshot = await fetch(`${dash.url}/api/hosts/sim-a/snapshot`, { headers: { cookie } });
    expect(snapshot.status).toBe(403);
    expect(((await snapshot.json()) as { error: { message: string } }).error.message).toMatch(/simulated.*no snapshot/);

    await stop(fleet);
    expect(fleet.exitCode).toBe(0);
    await expect.poll(async () => (await simulatedOnline()).length, { timeout: 10_000 }).toBe(0);
  });
});
