import { PROTOCOL_VERSION, type StatsSample } from '@ctscope/protocol';
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { onHostSamples } from '../testing/agent-harness';
import { startTestDashboard, type TestDashboard } from '../testing/test-dashboard';
import { originAllowed } from './browsers';

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

function connect(namespace: string, options: Parameters<typeof io>[1]): Socket {
  const socket = io(`${dash.url}${namespace}`, { transports: ['websocket'], reconnection: false, forceNew: true, ...options });
  sockets.push(socket);
  return socket;
}

/** Resolves with the refusal's data, or 'connected'. */
function outcome(socket: Socket): Promise<{ code: string; message: string } | 'connected'> {
  return new Promise((resolve) => {
    socket.once('connect', () => resolve('connected'));
    socket.once('connect_error', (err) => resolve((err as Error & { data: { code: string; message: string } }).data));
  });
}

const sample: StatsSample = {
  at: Date.now(),
  count: 42,
  max: 65536,
  cpu: [{ cpu: 0, found: 0, invalid: 1, insert: 0, insert_failed: 0, drop: 0, early_drop: 0, error: 0, search_restart: 0, clash_resolve: 0, chaintoolong: 0 }],
  hooksActive: true,
};

describe('agent namespace', () => {
  it('refuses a wrong agent token', async () => {
    const result = await outcome(connect('/agents', { auth: { protocolVersion: PROTOCOL_VERSION, token: 'x'.repeat(43), info } }));
    expect(result).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses another protocol version, naming both versions', async () => {
    const result = await outcome(connect('/agents', { auth: { protocolVersion: 999, token: await dash.agentToken(), info } }));
    expect(result).toMatchObject({ code: 'VERSION_MISMATCH' });
    const message = result === 'connected' ? '' : result.message;
    expect(message).toContain(`version ${PROTOCOL_VERSION}`);
    expect(message).toContain('version 999');
  });

  it('accepts the issued token and relays samples to logged-in browsers', async () => {
    const cookie = await dash.login();
    const browser = connect('/browsers', { auth: { protocolVersion: PROTOCOL_VERSION }, extraHeaders: { cookie, origin: dash.url } });
    expect(await outcome(browser)).toBe('connected');
    const received = new Promise((resolve) => onHostSamples(browser, resolve));

    const agent = connect('/agents', { auth: { protocolVersion: PROTOCOL_VERSION, token: await dash.agentToken(), info } });
    expect(await outcome(agent)).toBe('connected');
    agent.emit('stats:sampled', { ...sample, count: -5 }); // malformed: dropped
    agent.emit('stats:sampled', sample);
    expect(await received).toMatchObject({ sample: { count: 42, max: 65536 } });

    const list = await browser.emitWithAck('hosts:list', {});
    expect(list).toMatchObject({ ok: true, data: [{ online: true, hostname: 'test-host', latest: { count: 42 } }] });
    const bad = await browser.emitWithAck('hosts:list', { everything: true });
    expect(bad).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
  });
});

describe('browser namespace', () => {
  it('refuses a socket without a session', async () => {
    const result = await outcome(connect('/browsers', { auth: { protocolVersion: PROTOCOL_VERSION }, extraHeaders: { origin: dash.url } }));
    expect(result).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses a logged-in socket from a foreign origin', async () => {
    const cookie = await dash.login();
    const result = await outcome(connect('/browsers', { auth: { protocolVersion: PROTOCOL_VERSION }, extraHeaders: { cookie, origin: 'http://evil.example' } }));
    expect(result).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('refuses the default namespace', async () => {
    const result = await outcome(connect('/', {}));
    expect(result).not.toBe('connected');
  });

  it('checks origins against the requested host', () => {
    expect(originAllowed('http://127.0.0.1:3000', '127.0.0.1:3000', [])).toBe(true);
    expect(originAllowed('http://127.0.0.1:3000', 'localhost:3000', [])).toBe(false);
    expect(originAllowed('https://ops.example', 'internal:3000', ['https://ops.example'])).toBe(true);
    expect(originAllowed(undefined, '127.0.0.1:3000', [])).toBe(false);
    expect(originAllowed('not a url', '127.0.0.1:3000', [])).toBe(false);
  });
});
