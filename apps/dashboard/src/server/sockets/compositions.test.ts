import { PROTOCOL_VERSION, type Composition, type CompositionGrowth } from '@ctscope/protocol';
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestDashboard, type TestDashboard } from '../testing/test-dashboard';

let dash: TestDashboard;
const sockets: Socket[] = [];
beforeAll(async () => {
  dash = await startTestDashboard();
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});
afterAll(async () => {
  await dash.close();
});

const info = { hostname: 'test-host', agentVersion: '0.1.0', kernel: '6.18', source: 'cli' as const };
const connect = async (namespace: string, options: Parameters<typeof io>[1]) => {
  const socket = io(`${dash.url}${namespace}`, { transports: ['websocket'], reconnection: false, forceNew: true, ...options });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('connect_error', reject));
  return socket;
};

const summary = (at: number, flood: number): Composition => ({
  at,
  total: 10 + flood,
  byProtocol: [{ key: 'udp', count: 10 + flood }],
  byState: [],
  byStatus: [],
  sources: { top: [{ key: '10.0.0.1', count: 10 + flood }], rest: 0 },
  destinations: { top: [{ key: '10.0.0.2', count: 10 + flood }], rest: 0 },
  ports: { top: [...(flood > 0 ? [{ key: 'udp/53', count: flood }] : []), { key: 'udp/123', count: 10 }], rest: 0 },
  pairs: { top: [], rest: 0 },
  byNetns: [],
  tookMs: 1,
});

const until = async <T>(get: () => Promise<T>, ok: (v: T) => boolean): Promise<T> => {
  for (let i = 0; i < 100; i++) {
    const v = await get();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('not stored in time');
};

describe('composition summaries from agents', () => {
  it('stores valid ones (times clamped to the dashboard clock), drops malformed ones, and answers growth and moments to browsers', async () => {
    const agent = await connect('/agents', { auth: { protocolVersion: PROTOCOL_VERSION, token: await dash.agentToken(), info } });
    const browser = await connect('/browsers', { auth: { protocolVersion: PROTOCOL_VERSION }, extraHeaders: { cookie: await dash.login(), origin: dash.url } });
    const hostId = dash.server.localAgent.hostId;
    const now = Date.now();
    agent.emit('composition:summarised', { ...summary(now - 3_000, 0), ports: { top: Array.from({ length: 51 }, (_, i) => ({ key: `udp/${i}`, count: 1 })), rest: 0 } }); // 51 keys: malformed
    agent.emit('composition:summarised', summary(now - 2_000, 0));
    agent.emit('composition:summarised', summary(now + 3_600_000, 500)); // an hour ahead: stored at the dashboard's now + 5 s at most
    const ask = <T>(event: string, payload: unknown) => browser.emitWithAck(event, payload) as Promise<{ ok: true; data: T }>;
    const growth = await until(
      () => ask<CompositionGrowth>('composition:growth', { hostId, from: now - 60_000, to: now + 60_000 }),
      (a) => a.ok && a.data.points.length === 2,
    );
    expect(growth.data.points[0]).toBe(now - 2_000);
    expect(growth.data.points[1]).toBeLessThanOrEqual(Date.now() + 5_000);
    expect(growth.data.rows[0]).toMatchObject({ dimension: 'port', key: 'udp/53', added: 500, exact: true, series: [0, 500] });
    const at = await ask<Composition | null>('composition:at', { hostId, at: now - 2_500 });
    expect(at.data?.at).toBe(now - 2_000); // none before: the first after
    expect(await browser.emitWithAck('composition:growth', { hostId, from: now, to: now - 1 })).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
  });
});
