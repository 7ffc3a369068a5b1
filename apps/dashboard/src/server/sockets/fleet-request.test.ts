import { PROTOCOL_VERSION, type StatsSample } from '@ctscope/protocol';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { onHostSamples } from '../testing/agent-harness';
import { startTestDashboard, type TestDashboard } from '../testing/test-dashboard';

let dash: TestDashboard;
const sockets: Socket[] = [];
beforeAll(async () => {
  dash = await startTestDashboard();
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await dash.close();
});

function connect(namespace: string, options: Parameters<typeof io>[1]): Promise<Socket> {
  const socket = io(`${dash.url}${namespace}`, { transports: ['websocket'], reconnection: false, forceNew: true, ...options });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

const cpu = [{ cpu: 0, found: 0, invalid: 0, insert: 0, insert_failed: 0, drop: 0, early_drop: 0, error: 0, search_restart: 0, clash_resolve: 0, chaintoolong: 0 }];
const rates = { found: 0, invalid: 0.5, insert: 0, insert_failed: 0, drop: 2, early_drop: 0, error: 0, search_restart: 0, clash_resolve: 0, chaintoolong: 0 };

describe('fleet:history over the browsers namespace', () => {
  it('sums what the agent reported into time buckets, and refuses an unknown range', async () => {
    const browser = await connect('/browsers', { auth: { protocolVersion: PROTOCOL_VERSION }, extraHeaders: { cookie: await dash.login(), origin: dash.url } });
    const agent = await connect('/agents', {
      auth: { protocolVersion: PROTOCOL_VERSION, token: await dash.agentToken(), info: { hostname: 'fleet-host', agentVersion: '0.1.0', kernel: '6.18', source: 'cli' } },
    });
    // Three samples 10 s apart (the stored step), each landing in its own 10 s bucket. The dashboard stamps
    // samples with its own clock (±5 s), so its clock is set back for each one.
    const now = Date.now();
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      for (const [ago, count] of [[25_000, 10], [15_000, 20], [5_000, 30]] as const) {
        vi.setSystemTime(now - ago);
        const seen = new Promise((resolve) => onHostSamples(browser, (stats) => stats.sample.count === count && resolve(true)));
        const sample: StatsSample = { at: now - ago, count, max: 65_536, cpu, hooksActive: true, rates, eventRates: { NEW: count / 10, UPDATE: 0, DESTROY: 1 } };
        agent.emit('stats:sampled', sample);
        await seen;
      }
    } finally {
      vi.useRealTimers();
    }

    // History points are written in the background (on PostgreSQL that takes a round trip): wait for all three.
    for (const deadline = Date.now() + 5_000; (await dash.server.store.listHistory(dash.server.localAgent.hostId, 0, 10)).length < 3 && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const answer = await browser.emitWithAck('fleet:history', { range: '5m' });
    expect(answer).toMatchObject({ ok: true, data: { stepMs: 10_000 } });
    const points = (answer as { data: { points: { count: number; max: number; hosts: number; eventRates?: { NEW: number }; rates?: Record<string, number> }[] } }).data.points;
    expect(points.map((p) => [p.count, p.max, p.hosts])).toEqual([
      [10, 65_536, 1],
      [20, 65_536, 1],
      [30, 65_536, 1],
    ]);
    expect(points.map((p) => p.eventRates?.NEW)).toEqual([1, 2, 3]);
    expect(points[0]?.rates).toEqual({ insert_failed: 0, drop: 2, early_drop: 0, invalid: 0.5, search_restart: 0 });

    expect(await browser.emitWithAck('fleet:history', { range: '7d' })).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
    expect(await browser.emitWithAck('fleet:history', {})).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
  });
});
