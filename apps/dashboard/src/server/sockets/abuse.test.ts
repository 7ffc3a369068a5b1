// Hostile clients: malformed and oversized Socket.IO packets, bad payloads, password guessing.
import { PROTOCOL_VERSION, type Ack } from '@ctscope/protocol';
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestDashboard, type TestDashboard } from '../testing/test-dashboard';

let dash: TestDashboard;
let cookie = '';
const sockets: Socket[] = [];
beforeAll(async () => {
  dash = await startTestDashboard();
  cookie = await dash.login();
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});
afterAll(() => dash.close());

async function browser(): Promise<Socket> {
  const socket = io(`${dash.url}/browsers`, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: { protocolVersion: PROTOCOL_VERSION },
    extraHeaders: { cookie, origin: dash.url },
  });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('connect_error', reject));
  return socket;
}

const closed = (socket: Socket) => new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));

/** The server still answers: health, and a fresh browser socket gets its host list. */
async function expectServerHealthy(): Promise<void> {
  expect((await fetch(`${dash.url}/healthz`)).ok).toBe(true);
  const ack = (await (await browser()).timeout(5_000).emitWithAck('hosts:list', {})) as Ack<unknown[]>;
  expect(ack.ok).toBe(true);
}

/** The engine.io WebSocket under a Socket.IO client, to send frames no well-behaved client would. */
function rawSocket(socket: Socket): { send(data: string | Buffer): void } {
  return (socket.io.engine.transport as unknown as { ws: { send(data: string | Buffer): void } }).ws;
}

describe('hostile browser sockets', { timeout: 30_000 }, () => {
  it('survives malformed Socket.IO and engine.io frames: the sender is dropped or unharmed, everyone else is served', async () => {
    const bystander = await browser();
    const frames: (string | Buffer)[] = [
      '42/browsers,["window:subscribe",{',
      '4garbage',
      '9',
      '',
      '451-/browsers,["window:subscribe",{"_placeholder":true,"num":7}]',
      '42/browsers,0["hosts:list",{}]',
      Buffer.from([0xff, 0x00, 0x13, 0x37]),
    ];
    for (const frame of frames) {
      const sender = await browser();
      rawSocket(sender).send(frame);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const answer = await (sender.timeout(1_500).emitWithAck('hosts:list', {}) as Promise<Ack<unknown[]>>).then(
        (ack) => ack,
        (err: Error) => err.message,
      );
      // Dropped (now or while asking) is fine; alive and answering is fine; alive and mute is not.
      if (typeof answer === 'string') expect(sender.connected, `${String(frame)}: ${answer}`).toBe(false);
      else expect(answer.ok, String(frame)).toBe(true);
    }
    expect(bystander.connected).toBe(true);
    await expectServerHealthy();
  });

  it('closes a connection that sends more than 1 MB in one packet', async () => {
    const socket = await browser();
    const gone = closed(socket);
    socket.emit('window:subscribe', { hostId: 'x'.repeat(2_000_000) });
    expect(await gone).toBe('transport close');
    await expectServerHealthy();
  });

  it('answers bad payloads with BAD_REQUEST naming the problem, and ignores unknown events', async () => {
    const socket = await browser();
    const ask = (event: string, payload: unknown) => socket.timeout(5_000).emitWithAck(event, payload) as Promise<Ack<unknown>>;
    expect(await ask('window:subscribe', 'not an object')).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
    const wrongType = await ask('window:subscribe', { hostId: 5, spec: {} });
    expect(wrongType).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
    expect(!wrongType.ok && wrongType.message).toMatch(/hostId/);
    socket.emit('flows:everything', { hostId: 'h' });
    socket.emit('__proto__', { polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await ask('window:subscribe', { hostId: 'no-such-host', spec: { query: '', sort: { column: 'id', desc: false }, offset: 0, limit: 10 } })).toMatchObject({ ok: false, code: 'HOST_OFFLINE' });
    await expectServerHealthy();
  });
});

describe('password guessing', { timeout: 30_000 }, () => {
  const login = (username: string, password: string) =>
    fetch(`${dash.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });

  it('locks a username after 10 failures, even for the right password, and tells when to retry', async () => {
    await dash.server.store.createUser('mallory-target', (await dash.server.store.findUserByName('admin'))!.passwordHash, 'viewer');
    for (let i = 0; i < 10; i++) expect((await login('mallory-target', `guess ${i}`)).status).toBe(401);
    const locked = await login('mallory-target', 'correct horse battery staple');
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await locked.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    // Others are not locked out by someone guessing a different account.
    expect((await login('admin', 'correct horse battery staple')).status).toBe(200);
  });

  const loginFrom = (address: string, username: string, password: string) =>
    fetch(`${dash.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
      body: JSON.stringify({ username, password }),
    });

  it('keeps a locked user locked through 10,000 junk usernames, which the per-address limit stops early', { timeout: 120_000 }, async () => {
    const attacker = '198.51.100.7';
    for (let i = 0; i < 10; i++) expect((await loginFrom(attacker, 'admin', `guess ${i}`)).status).toBe(401);
    const statuses = new Map<number, number>();
    for (let batch = 0; batch < 40; batch++) {
      const answers = await Promise.all(Array.from({ length: 250 }, (_, i) => loginFrom(attacker, `junk-${batch}-${i}`, 'x')));
      for (const answer of answers) statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    }
    // 50 failures per address across usernames (10 already spent on admin; up to 4 more were being hashed
    // when the limit was reached), the rest refused without hashing.
    expect(statuses.get(401) ?? 0).toBeLessThanOrEqual(44);
    expect(statuses.get(429)).toBeGreaterThanOrEqual(9_956);
    expect((await loginFrom(attacker, 'admin', 'correct horse battery staple')).status).toBe(429);
    // Another address is not locked out by this one.
    expect((await loginFrom('198.51.100.8', 'admin', 'correct horse battery staple')).status).toBe(200);
  });

  it('hashes at most a few passwords at once and refuses the rest with RATE_LIMITED at once', async () => {
    const answers = await Promise.all(Array.from({ length: 24 }, (_, i) => loginFrom(`203.0.113.${i + 1}`, 'admin', `wrong ${i}`)));
    const busy = answers.filter((a) => a.status === 429);
    expect(busy.length).toBeGreaterThan(0);
    expect(answers.filter((a) => a.status === 401).length).toBeGreaterThanOrEqual(4);
    expect(busy[0]?.headers.get('retry-after')).toBe('1');
    expect(((await busy[0]?.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringMatching(/busy/) });
    expect((await loginFrom('203.0.113.200', 'admin', 'correct horse battery staple')).status).toBe(200);
  });
});
