import { PROTOCOL_VERSION, type DiagnosisCounts, type DiagnosisReport, type HostDiagnoses } from '@ctscope/protocol';
import { skipRedisTests, startRedis } from '@ctscope/testkit';
import { io, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { Cleanups, browserSocket } from './agent-harness';
import { TEST_CLUSTER_SECRET, startTestCluster, startTestDashboard, type TestDashboard } from './test-dashboard';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

const info = { hostname: 'cluster-host', agentVersion: '0.1.0', kernel: '6.18', source: 'cli' as const };

/** An agent's socket on one server, speaking the protocol (the diagnosis engine itself is the agent's and tested there). */
async function agentOn(dash: TestDashboard): Promise<Socket> {
  const socket = io(`${dash.url}/agents`, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { protocolVersion: PROTOCOL_VERSION, token: await dash.agentToken(), info } });
  cleanups.add(() => void socket.close());
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('connect_error', reject));
  return socket;
}

const next = <T>(socket: Socket, event: string, ok: (payload: T) => boolean) =>
  new Promise<T>((resolve) => {
    const listener = (payload: T) => {
      if (!ok(payload)) return;
      socket.off(event, listener);
      resolve(payload);
    };
    socket.on(event, listener);
  });

const report = (at: number): DiagnosisReport => ({
  at,
  active: [
    {
      name: 'table-filled-by-state',
      id: 'table-filled-by-state:TIME_WAIT',
      title: 'TIME_WAIT fills the table',
      severity: 'warning',
      since: at - 30_000,
      meaning: 'Most entries are closed TCP connections waiting out TIME_WAIT. They take room new connections need.',
      evidence: { facts: [{ label: 'TIME_WAIT', value: '61 %' }], query: 'tcp state:TIME_WAIT', examples: [] },
      fixes: [{ kind: 'sysctl', label: 'Lower tcp_timeout_time_wait to 30 s', changes: { 'net.netfilter.nf_conntrack_tcp_timeout_time_wait': 30 } }],
    },
  ],
});

describe.skipIf(skipRedisTests())('diagnoses with two dashboard servers sharing Redis', () => {
  it('a browser on A sees the report of the agent held by B, and its count; both go when the agent leaves B', async () => {
    const redis = await startRedis();
    cleanups.add(() => redis.stop());
    const cluster = await startTestCluster(redis.url);
    cleanups.add(() => cluster.close());
    const { a, b } = cluster;
    const hostId = a.server.localAgent.hostId;
    const browser = await browserSocket(a, cleanups);
    const online = next<{ id: string; online: boolean }>(browser, 'host:changed', (h) => h.id === hostId && h.online);
    const agent = await agentOn(b);
    await online;

    expect(await browser.emitWithAck('diagnoses:watch', { hostId })).toEqual({ ok: true, data: { hostId, report: null } });
    const pushed = next<HostDiagnoses>(browser, 'diagnoses:reported', (d) => d.report !== null);
    const counted = next<DiagnosisCounts>(browser, 'diagnoses:counted', (c) => c.counts.some((x) => x.hostId === hostId && x.count === 1));
    agent.emit('diagnoses:reported', report(Date.now()));
    expect((await pushed).report?.active[0]).toMatchObject({ name: 'table-filled-by-state', evidence: { query: 'tcp state:TIME_WAIT' } });
    expect((await counted).counts.find((c) => c.hostId === hostId)).toEqual({ hostId, count: 1, worst: 'warning', names: ['table-filled-by-state'] });
    expect(await browser.emitWithAck('diagnoses:counts', {})).toEqual({ ok: true, data: [{ hostId, count: 1, worst: 'warning', names: ['table-filled-by-state'] }] });

    const cleared = next<HostDiagnoses>(browser, 'diagnoses:reported', (d) => d.report === null);
    agent.close();
    await cleared;
    expect(await browser.emitWithAck('diagnoses:watch', { hostId })).toEqual({ ok: true, data: { hostId, report: null } });
  });

  it('a server that joins later learns the reports the others hold', async () => {
    const redis = await startRedis();
    cleanups.add(() => redis.stop());
    const cluster = await startTestCluster(redis.url);
    cleanups.add(() => cluster.close());
    const hostId = cluster.a.server.localAgent.hostId;
    const agent = await agentOn(cluster.b);
    const watcher = await browserSocket(cluster.a, cleanups);
    await watcher.emitWithAck('diagnoses:watch', { hostId });
    const relayed = next<HostDiagnoses>(watcher, 'diagnoses:reported', (d) => d.report !== null);
    agent.emit('diagnoses:reported', report(Date.now()));
    await relayed;

    // A third server (its own store; the bus is what it shares) starts after the report was sent.
    const late = await startTestDashboard({ env: { REDIS_URL: redis.url, CTSCOPE_CLUSTER_SECRET: TEST_CLUSTER_SECRET } });
    cleanups.add(() => late.close());
    const browser = await browserSocket(late, cleanups);
    let answer: unknown;
    for (let i = 0; i < 50; i++) {
      answer = await browser.emitWithAck('diagnoses:watch', { hostId });
      if ((answer as { data?: HostDiagnoses }).data?.report) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(answer).toMatchObject({ ok: true, data: { hostId, report: { active: [{ id: 'table-filled-by-state:TIME_WAIT' }] } } });
  });
});
