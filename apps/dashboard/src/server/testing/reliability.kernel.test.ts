// Reliability with a real agent: a network cut between agent and dashboard, and many browsers at once.
// `npm run soak` runs the same tests longer and wider (CTSCOPE_SOAK=1).
import { readFile } from 'node:fs/promises';
import type { WindowResult } from '@ctscope/protocol';
import { generateTraffic, skipKernelTests, type Netns } from '@ctscope/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { Cleanups, browserSocket } from './agent-harness';
import { cliLines, hostState, onlineAgent, request, unwrap, windowSpec } from './live-harness';
import { TEST_ADMIN_PASSWORD } from './test-dashboard';

const SOAK = process.env.CTSCOPE_SOAK === '1';
const cleanups = new Cleanups();
afterEach(() => cleanups.run());

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
}

/** Drops every packet to or from the port inside the namespace: the TCP connection stalls, as on a real cut. */
async function cutPort(ns: Netns, port: number): Promise<() => Promise<void>> {
  await ns.exec('nft', ['-f', '-'], `table inet ctscope_cut {
  chain output { type filter hook output priority -10; policy accept; tcp dport ${port} drop; tcp sport ${port} drop; }
}`);
  return async () => void (await ns.exec('nft', ['delete', 'table', 'inet', 'ctscope_cut']));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(skipKernelTests())('reliability, real kernel', () => {
  it('a network cut: offline within 20 s (pings every 10 s, 5 s grace), agent memory bounded meanwhile, back and in sync once restored', { timeout: SOAK ? 600_000 : 180_000 }, async () => {
    const { browser, ns, hostId, agent } = await onlineAgent(cleanups);
    const pid = agent.agent.pid ?? NaN;
    const opened = unwrap(await request<{ subId: string; result: WindowResult }>(browser, 'window:subscribe', { hostId, spec: windowSpec('udp') }));
    const rssBefore = await rssMiB(pid);

    const offline = hostState(browser, false);
    const restore = await cutPort(ns, agent.dashboardPort);
    cleanups.add(() => restore().catch(() => undefined));
    const cutAt = Date.now();
    await offline;
    const noticedMs = Date.now() - cutAt;
    expect(noticedMs).toBeLessThan(20_000);

    // The table keeps changing while the agent cannot report: it must not hoard what it cannot send.
    let rssPeak = rssBefore;
    const cutSeconds = SOAK ? 120 : 20;
    for (let s = 0; s < cutSeconds; s += 2) {
      await generateTraffic(ns, { udp: 200 });
      rssPeak = Math.max(rssPeak, await rssMiB(pid));
      await sleep(1_000);
    }
    expect(rssPeak - rssBefore).toBeLessThan(64);

    const online = hostState(browser, true);
    const restoredAt = Date.now();
    await restore();
    await online;
    // The agent retries with backoff capped at 30 s (plus jitter).
    const reconnectMs = Date.now() - restoredAt;
    expect(reconnectMs).toBeLessThan(40_000);
    console.info(`network cut: offline after ${noticedMs} ms; agent RSS ${rssBefore.toFixed(0)} -> peak ${rssPeak.toFixed(0)} MiB; back ${reconnectMs} ms after restore`);

    // The re-opened window agrees with the kernel again.
    const pushed = new Promise<WindowResult>((resolve) => {
      browser.on('window:pushed', (push: { subId: string; result: WindowResult }) => {
        if (push.subId === opened.subId) resolve(push.result);
      });
    });
    await generateTraffic(ns, { udp: 1 });
    let result = await pushed;
    for (let i = 0; i < 10 && result.total !== (await cliLines(ns, ['-p', 'udp'])).length; i++) {
      await sleep(500);
      result = unwrap(await request<{ subId: string; result: WindowResult }>(browser, 'window:subscribe', { hostId, spec: windowSpec('udp') })).result;
    }
    expect(result.total).toBe((await cliLines(ns, ['-p', 'udp'])).length);
    // UDP entries expire after 30 s unreplied, so not every one made during the cut is still there.
    expect(result.total).toBeGreaterThan(cutSeconds * 50);
  });

  it(`serves ${SOAK ? 200 : 50} browsers at once: every one gets the new connection in its window`, { timeout: 120_000 }, async () => {
    const { dash, ns, hostId } = await onlineAgent(cleanups);
    const count = SOAK ? 200 : 50;
    // As many people, each with their own account: one account's live views and requests are budgeted.
    const hash = (await dash.server.store.findUserByName('admin'))?.passwordHash ?? '';
    const cookies: string[] = [];
    for (let i = 0; i < count; i++) {
      await dash.server.store.createUser(`viewer-${i}`, hash, 'viewer');
      cookies.push(await dash.login(`viewer-${i}`, TEST_ADMIN_PASSWORD));
    }
    const browsers = await Promise.all(cookies.map((cookie) => browserSocket(dash, cleanups, cookie)));
    const subs = await Promise.all(browsers.map(async (b) => unwrap(await request<{ subId: string; result: WindowResult }>(b, 'window:subscribe', { hostId, spec: windowSpec('icmp') })).subId));
    const arrivals = browsers.map(
      (b, i) =>
        new Promise<number>((resolve) => {
          b.on('window:pushed', (push: { subId: string; result: WindowResult }) => {
            if (push.subId === subs[i] && push.result.total > 0) resolve(Date.now());
          });
        }),
    );
    const sent = Date.now();
    await ns.exec('ping', ['-n', '-q', '-c', '1', '-W', '1', '127.0.0.1']);
    const latencies = (await Promise.all(arrivals)).map((at) => at - sent).sort((a, b) => a - b);
    expect(latencies).toHaveLength(count);
    expect(latencies[Math.floor(count * 0.95) - 1]).toBeLessThan(2_000);
    const health = await fetch(`${dash.url}/healthz`);
    expect(health.ok).toBe(true);
  });
});
