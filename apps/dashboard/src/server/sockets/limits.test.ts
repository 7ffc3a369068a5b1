// Request budgets of browser sockets, seen from both ends: what reaches the agent and what the browser hears.
import { PROTOCOL_VERSION, type Ack } from '@ctscope/protocol';
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ADMIN_PASSWORD, startTestDashboard, type TestDashboard } from '../testing/test-dashboard';
import pino from 'pino';
import { RefusalAudit } from './refusal-audit';
import { DEFAULT_LIMITS, RequestLimits } from './request-limits';
import { MAX_SUBSCRIPTIONS_PER_BROWSER, MAX_SUBSCRIPTIONS_PER_USER } from './subscription-relay';

let dash: TestDashboard;
let hostId = '';
const sockets: Socket[] = [];
/** Requests the stand-in agent received, by event. */
const received = new Map<string, number>();
let agent: Socket;

beforeAll(async () => {
  dash = await startTestDashboard();
  hostId = dash.server.localAgent.hostId;
  const hash = (await dash.server.store.findUserByName('admin'))?.passwordHash ?? '';
  await dash.server.store.createUser('viewer-loop', hash, 'viewer');
  await dash.server.store.createUser('viewer-tabs', hash, 'viewer');
  await dash.server.store.createUser('viewer-refused', hash, 'viewer');
  // A stand-in agent answering after 50 ms, as a busy one would.
  agent = io(`${dash.url}/agents`, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: { protocolVersion: PROTOCOL_VERSION, token: await dash.agentToken(), info: { hostname: 'limits-host', agentVersion: '0.1.0', kernel: '6.18', source: 'cli' } },
  });
  agent.onAny((event: string, ...args: unknown[]) => {
    received.set(event, (received.get(event) ?? 0) + 1);
    const ack = args.at(-1);
    const data = event === 'stats:history' ? [] : {};
    if (typeof ack === 'function') setTimeout(() => (ack as (a: unknown) => void)({ ok: true, data }), 50);
  });
  await new Promise<void>((resolve, reject) => agent.once('connect', resolve).once('connect_error', reject));
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});
afterAll(async () => {
  agent.close();
  await dash.close();
});

async function browser(cookie: string): Promise<Socket> {
  const socket = io(`${dash.url}/browsers`, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { protocolVersion: PROTOCOL_VERSION }, extraHeaders: { cookie, origin: dash.url } });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('connect_error', reject));
  return socket;
}
const ask = (socket: Socket, event: string, payload: unknown) => socket.timeout(10_000).emitWithAck(event, payload) as Promise<Ack<unknown>>;

describe('request budgets', () => {
  it('refuses a flood at once with RATE_LIMITED and a retry time; little of it reaches the agent; another user is served', async () => {
    const viewer = await browser(await dash.login('viewer-loop', TEST_ADMIN_PASSWORD));
    const admin = await browser(await dash.login());
    received.clear();
    const flood = await Promise.all(Array.from({ length: 100 }, () => ask(viewer, 'stats:history', { hostId, since: 0 })));
    const served = flood.filter((a) => a.ok).length;
    const limited = flood.filter((a) => !a.ok && a.code === 'RATE_LIMITED');
    expect(served + limited.length).toBe(100);
    expect(served).toBeLessThanOrEqual(DEFAULT_LIMITS.socket.heavy.inFlight);
    expect(received.get('stats:history')).toBe(served);
    expect(limited[0]).toMatchObject({ retryAfterMs: expect.any(Number), message: expect.stringMatching(/try again in \d+ s/) });
    expect(!limited[0]?.ok && limited[0]?.retryAfterMs).toBeGreaterThan(0);
    expect(await ask(admin, 'stats:history', { hostId, since: 0 })).toMatchObject({ ok: true });
    // After the retry time, requests are served again.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await ask(viewer, 'stats:history', { hostId, since: 0 })).toMatchObject({ ok: true });
  });

  it('budgets hosts:list too', async () => {
    const viewer = await browser(await dash.login('viewer-loop', TEST_ADMIN_PASSWORD));
    const answers = await Promise.all(Array.from({ length: 60 }, () => ask(viewer, 'hosts:list', {})));
    expect(answers.filter((a) => a.ok).length).toBeLessThanOrEqual(DEFAULT_LIMITS.socket.all.burst);
    expect(answers.filter((a) => !a.ok && a.code === 'RATE_LIMITED').length).toBeGreaterThanOrEqual(60 - DEFAULT_LIMITS.socket.all.burst);
  });

  it('closes a socket that keeps sending after being refused', async () => {
    const viewer = await browser(await dash.login('viewer-loop', TEST_ADMIN_PASSWORD));
    const gone = new Promise<string>((resolve) => viewer.once('disconnect', resolve));
    for (let i = 0; i < 300; i++) viewer.emit('sysctl:get', { hostId }, () => undefined);
    expect(await gone).toBe('io server disconnect');
  });

  it('caps live views per user across tabs', async () => {
    const cookie = await dash.login('viewer-tabs', TEST_ADMIN_PASSWORD);
    const tabs = await Promise.all(Array.from({ length: 4 }, () => browser(cookie)));
    const answers: Ack<unknown>[] = [];
    for (const tab of tabs) {
      for (let i = 0; i < MAX_SUBSCRIPTIONS_PER_BROWSER; i++) answers.push(await ask(tab, 'events:subscribe', { hostId, spec: { query: '', types: ['NEW'] } }));
    }
    expect(answers.filter((a) => a.ok)).toHaveLength(MAX_SUBSCRIPTIONS_PER_USER);
    const refused = answers.filter((a) => !a.ok);
    expect(refused).toHaveLength(4 * MAX_SUBSCRIPTIONS_PER_BROWSER - MAX_SUBSCRIPTIONS_PER_USER);
    expect(refused[0]).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringMatching(/your tabs/), retryAfterMs: expect.any(Number) });
    // Closing a tab frees its views for the others.
    tabs[0]?.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await ask(tabs[3] as Socket, 'events:subscribe', { hostId, spec: { query: '', types: ['NEW'] } })).toMatchObject({ ok: true });
  });

  it('audits the first few refused changes of a user one row each and counts the rest', async () => {
    const viewer = await browser(await dash.login('viewer-refused', TEST_ADMIN_PASSWORD));
    const answers: Ack<unknown>[] = [];
    for (let i = 0; i < 30; i++) answers.push(await ask(viewer, 'flows:flush', { hostId, confirmCount: 1 }));
    expect(answers.every((a) => !a.ok && a.code === 'FORBIDDEN')).toBe(true);
    expect(received.get('flows:flush')).toBeUndefined();
    const rows = (await dash.server.store.listAudit(100)).filter((row) => row.actor === 'viewer-refused');
    expect(rows).toHaveLength(10);
    expect(rows.every((row) => row.result === 'error' && row.action === 'conntrack.flush')).toBe(true);
  });
});

describe('RequestLimits', () => {
  it('refills at its rate, bounds unanswered requests, and forgets a user without sockets once refilled', () => {
    const limits = new RequestLimits({
      socket: { all: { rate: 10, burst: 2, inFlight: 10 }, heavy: { rate: 1, burst: 1, inFlight: 1 } },
      user: { all: { rate: 100, burst: 100, inFlight: 3 }, heavy: { rate: 100, burst: 100, inFlight: 100 } },
    });
    const a = limits.forSocket(1, 0);
    const b = limits.forSocket(1, 0);
    const first = a.admit('events:unsubscribe', 0);
    expect(a.admit('events:unsubscribe', 0)).toHaveProperty('release');
    expect(a.admit('events:unsubscribe', 0)).toEqual({ retryAfterMs: 100 });
    expect(a.admit('events:unsubscribe', 100)).toHaveProperty('release');
    // The user's three unanswered requests are spent across both sockets.
    expect(b.admit('events:unsubscribe', 100)).toEqual({ retryAfterMs: 500 });
    if ('release' in first) first.release();
    expect(b.admit('flows:aggregate', 100)).toHaveProperty('release');
    expect(b.admit('flows:aggregate', 5_000)).toEqual({ retryAfterMs: 500 });
    a.close();
    b.close();
    expect(limits.trackedUsers).toBe(1); // requests still unanswered keep the user's budget
    const c = limits.forSocket(2, 0);
    c.close();
    limits.forSocket(3, 60_000).close();
    // User 2 had refilled and is forgotten; user 1 still has unanswered requests; user 3 is new.
    expect(limits.trackedUsers).toBe(2);
  });

  it('gives a user who reconnects no fresh burst', () => {
    const roomy = { rate: 100, burst: 100, inFlight: 100 };
    const limits = new RequestLimits({ socket: { all: roomy, heavy: roomy }, user: { all: roomy, heavy: { rate: 1, burst: 2, inFlight: 100 } } });
    const first = limits.forSocket(1, 0);
    for (let i = 0; i < 2; i++) {
      const admitted = first.admit('flows:aggregate', 0);
      if ('release' in admitted) admitted.release();
    }
    expect(first.admit('flows:aggregate', 0)).toHaveProperty('retryAfterMs');
    first.close();
    const again = limits.forSocket(1, 0);
    expect(again.admit('flows:aggregate', 0)).toHaveProperty('retryAfterMs');
    expect(again.admit('flows:aggregate', 1_000)).toHaveProperty('release');
  });
});

describe('RefusalAudit', () => {
  it('writes a few rows per window and one counted row per action when the window ends', async () => {
    const audit = new RefusalAudit(dash.server.store, pino({ level: 'silent' }), { rows: 2, windowMs: 300 });
    for (let i = 0; i < 7; i++) await audit.record('counted-user', 'rules.apply', 'h1', 'viewers cannot change hosts');
    await audit.record('counted-user', 'conntrack.flush', 'h1', 'viewers cannot change hosts');
    const rows = async () => (await dash.server.store.listAudit(100)).filter((row) => row.actor === 'counted-user');
    expect(await rows()).toHaveLength(2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const written = await rows();
    expect(written).toHaveLength(4);
    const counted = written.filter((row) => (row.detail as { count?: number }).count !== undefined);
    expect(counted.map((row) => [row.action, (row.detail as { count: number }).count]).sort()).toEqual([
      ['conntrack.flush', 1],
      ['rules.apply', 5],
    ]);
    // A new window writes rows again.
    await audit.record('counted-user', 'rules.apply', 'h1', 'viewers cannot change hosts');
    expect(await rows()).toHaveLength(5);
  });
});
