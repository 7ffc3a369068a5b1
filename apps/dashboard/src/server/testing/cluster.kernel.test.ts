import { readFile } from 'node:fs/promises';
import type { DeleteResult, HostSummary, WindowResult } from '@ctscope/protocol';
import { bridgeIntoNetns, generateTraffic, skipKernelTests, skipRedisTests, startRedis, type Netns } from '@ctscope/testkit';
import type { Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { Cleanups, agentInNetns, browserSocket, nextSample, stop } from './agent-harness';
import { cliLines, hostState, request, unwrap, windowSpec } from './live-harness';
import { startTestCluster } from './test-dashboard';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

const ping = (ns: Netns) => ns.exec('ping', ['-n', '-q', '-c', '1', '-W', '1', '127.0.0.1']);

/** Records a window's pushes; `withTotal(n, since)` resolves with the first (past or future) arrived since then showing n entries. */
function windowPushes(browser: Socket, subId: string): { withTotal(total: number, since?: number): Promise<{ result: WindowResult; at: number }> } {
  const seen: { result: WindowResult; at: number }[] = [];
  const waiters = new Set<() => void>();
  browser.on('window:pushed', (push: { subId: string; result: WindowResult }) => {
    if (push.subId !== subId) return;
    seen.push({ result: push.result, at: Date.now() });
    for (const check of waiters) check();
  });
  return {
    withTotal: (total, since = 0) =>
      new Promise((resolve) => {
        const check = () => {
          const hit = seen.find((push) => push.at >= since && push.result.total === total);
          if (!hit) return;
          waiters.delete(check);
          resolve(hit);
        };
        waiters.add(check);
        check();
      }),
  };
}

describe.skipIf(skipKernelTests() || skipRedisTests())('two dashboard servers sharing Redis and a store, real kernel', () => {
  it('a browser on A sees and changes the host whose agent is on B; the change is audited once; the agent may move; B can revoke it', async () => {
    const redis = await startRedis();
    cleanups.add(() => redis.stop());
    const cluster = await startTestCluster(redis.url);
    cleanups.add(() => cluster.close());
    const { a, b } = cluster;
    const hostId = a.server.localAgent.hostId;
    expect(b.server.localAgent.hostId).toBe(hostId);

    // A session made on A is valid on B.
    const cookie = await a.login();
    const me = await fetch(`${b.url}/api/auth/me`, { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ user: { username: 'admin' } });

    const browser = await browserSocket(a, cleanups, cookie);
    const online = hostState(browser, true);
    const agent = await agentInNetns(b, cleanups);
    await online;
    const hosts = unwrap(await request<HostSummary[]>(browser, 'hosts:list', {}));
    expect(hosts.find((h) => h.id === hostId)?.online).toBe(true);
    expect((await nextSample(browser, Date.now())).at).toBeGreaterThan(0);

    // Live rows: a connection made in the namespace reaches the browser on A through B.
    const icmpCount = async () => (await cliLines(agent.ns, ['-p', 'icmp'])).length;
    const opened = unwrap(await request<{ subId: string; result: WindowResult }>(browser, 'window:subscribe', { hostId, spec: windowSpec('icmp') }));
    expect(opened.result.total).toBe(0);
    const pushes = windowPushes(browser, opened.subId);
    const sent = Date.now();
    await ping(agent.ns);
    const { result, at } = await pushes.withTotal(await icmpCount());
    expect(at - sent).toBeLessThan(2_000);
    expect(result.rows[0]?.proto).toBe('icmp');
    const [cliLine] = await cliLines(agent.ns, ['-p', 'icmp', '-o', 'id']);
    expect(cliLine).toContain(`id=${result.rows[0]?.id}`);

    // A change made on A: exactly the dry run's entries go, one audit row in the shared store, one pair on the agent.
    await generateTraffic(agent.ns, { udp: 12, tcp: 4 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const udpBefore = await cliLines(agent.ns, ['-p', 'udp', '-o', 'id']);
    const tcpBefore = (await cliLines(agent.ns, ['-p', 'tcp'])).length;
    const dry = unwrap(await request<DeleteResult>(browser, 'flows:deleteMatching', { hostId, query: 'udp', dryRun: true }));
    expect(dry.matched).toBe(udpBefore.length);
    await generateTraffic(agent.ns, { udp: 1 });
    const done = unwrap(await request<DeleteResult>(browser, 'flows:deleteMatching', { hostId, planId: dry.planId, dryRun: false }));
    expect(done.deleted).toBe(udpBefore.length);
    const udpAfter = await cliLines(agent.ns, ['-p', 'udp', '-o', 'id']);
    expect(udpAfter).toHaveLength(1);
    const ids = (lines: string[]) => lines.map((l) => /id=(\d+)/.exec(l)?.[1]);
    expect(ids(udpAfter).some((id) => ids(udpBefore).includes(id))).toBe(false);
    expect((await cliLines(agent.ns, ['-p', 'tcp'])).length).toBe(tcpBefore);

    const rows = async (dash: typeof a) => (await dash.server.store.listAudit(20)).filter((row) => row.action === 'conntrack.delete-matching');
    expect(await rows(a)).toHaveLength(1);
    expect((await rows(a))[0]).toMatchObject({ actor: 'admin', target: hostId, result: 'ok' });
    expect(await rows(b)).toEqual(await rows(a));
    const agentAudit = (await readFile(agent.auditFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { action: string; result: string });
    expect(agentAudit.map((e) => [e.action, e.result])).toEqual([
      ['conntrack.delete-matching', 'pending'],
      ['conntrack.delete-matching', 'ok'],
    ]);

    // The agent moves from B to A (killed, restarted pointing at A): the browser's window keeps working.
    const toA = await bridgeIntoNetns(agent.ns, Number(new URL(a.url).port));
    cleanups.add(() => toA.close());
    const moving = Date.now();
    await stop(agent.agent, 'SIGKILL');
    const back = hostState(browser, true);
    agent.respawn(toA.nsPort);
    await back;
    expect((await a.server.store.listHosts()).find((h) => h.id === hostId)).toBeDefined();
    const beforePing = await icmpCount();
    await ping(agent.ns);
    expect(await icmpCount()).toBe(beforePing + 1);
    const moved = await pushes.withTotal(beforePing + 1, moving);
    expect(moved.result.rows.every((row) => row.proto === 'icmp')).toBe(true);
    const listed = unwrap(await request<HostSummary[]>(browser, 'hosts:list', {}));
    expect(listed.find((h) => h.id === hostId)?.online).toBe(true);

    // Revoking the host on B drops its agent, now held by A, and it is refused when it dials again.
    const offline = hostState(browser, false);
    const revoked = await fetch(`${b.url}/api/hosts/${hostId}/revoke`, { method: 'POST', headers: { cookie, origin: b.url } });
    expect(revoked.status).toBe(200);
    await offline;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(unwrap(await request<HostSummary[]>(browser, 'hosts:list', {})).find((h) => h.id === hostId)?.online).toBe(false);
    expect((await a.server.store.listAudit(50)).filter((row) => row.action === 'host.revoke')).toMatchObject([{ target: hostId, detail: { after: { revoked: true, disconnected: true } } }]);
  });
});
