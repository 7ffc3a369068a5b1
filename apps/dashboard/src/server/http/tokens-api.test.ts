import { PROTOCOL_VERSION, createTokenResponseSchema, tokenListResponseSchema } from '@ctscope/protocol';
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TOUCH_INTERVAL_MS } from '../auth/api-tokens';
import { sha256 } from '../auth/sessions';
import { startTestDashboard, type TestDashboard } from '../testing/test-dashboard';

let dash: TestDashboard;
let admin = '';
const sockets: Socket[] = [];
beforeAll(async () => {
  dash = await startTestDashboard();
  admin = await dash.login();
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});
afterAll(async () => {
  await dash.close();
});

const PASSWORD = 'a long enough password';

async function call(method: string, path: string, auth: { cookie?: string; bearer?: string }, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${dash.url}${path}`, {
    method,
    headers: {
      ...(auth.cookie ? { cookie: auth.cookie } : {}),
      ...(auth.bearer ? { authorization: `Bearer ${auth.bearer}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text && res.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as unknown) : text };
}

async function createUser(username: string, role: 'admin' | 'operator' | 'viewer'): Promise<{ id: number; cookie: string }> {
  const res = await call('POST', '/api/users', { cookie: admin }, { username, password: PASSWORD, role });
  expect(res.status).toBe(201);
  return { id: (res.json as { user: { id: number } }).user.id, cookie: await dash.login(username, PASSWORD) };
}

async function createToken(cookie: string, name: string, role: 'admin' | 'operator' | 'viewer', expiresInDays = 30) {
  const res = await call('POST', '/api/tokens', { cookie }, { name, role, expiresInDays });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  return createTokenResponseSchema.parse(res.json);
}

const me = async (bearer: string) => call('GET', '/api/auth/me', { bearer });

describe('API tokens', () => {
  it('are shown once, stored hashed, work as Bearer on the JSON API and are audited', async () => {
    const { token, secret } = await createToken(admin, 'ci deploy', 'operator', 90);
    expect(secret).toMatch(/^ctscope_[A-Za-z0-9_-]{43}$/);
    expect(token).toMatchObject({ name: 'ci deploy', role: 'operator', username: 'admin', lastUsedAt: null });
    expect(token.expiresAt - token.createdAt).toBe(90 * 86_400_000);
    // Only the hash is stored: the store finds it by hash, and no listing carries the secret.
    expect((await dash.server.store.findApiTokenByHash(sha256(secret), Date.now()))?.token.id).toBe(token.id);
    const list = await call('GET', '/api/tokens', { cookie: admin });
    expect(JSON.stringify(list.json)).not.toContain(secret);
    expect(JSON.stringify(list.json)).not.toContain(sha256(secret));
    expect((await dash.server.store.listAudit(1))[0]).toMatchObject({ actor: 'admin', action: 'token.create', target: 'token:admin/ci deploy', result: 'ok' });

    expect(await me(secret)).toEqual({ status: 200, json: { user: { username: 'admin', role: 'operator' } } });
    expect((await call('GET', '/api/hosts', { bearer: secret })).status).toBe(200);
    // The token's role, not the admin's: an operator token cannot manage users.
    expect((await call('GET', '/api/users', { bearer: secret })).status).toBe(403);
    expect((await call('POST', '/api/tokens', { cookie: admin }, { name: 'ci deploy', role: 'viewer', expiresInDays: 1 })).status).toBe(409);
  });

  it('refuses unknown, malformed and other-scheme credentials, and a cookie together with a token', async () => {
    const { secret } = await createToken(admin, 'both', 'viewer');
    expect((await me(`ctscope_${'A'.repeat(43)}`)).status).toBe(401);
    expect((await me('not-a-token')).status).toBe(401);
    expect((await call('GET', '/api/auth/me', {}, undefined, { authorization: `Basic ${Buffer.from('admin:x').toString('base64')}` })).status).toBe(401);
    const both = await call('GET', '/api/auth/me', { cookie: admin, bearer: secret });
    expect(both).toMatchObject({ status: 400, json: { error: { message: 'send either a session cookie or an API token, not both' } } });
    // A cross-site write is refused before any credential is looked at, token or not.
    expect((await call('POST', '/api/views', { bearer: secret }, { name: 'x' }, { origin: 'https://evil.example' })).status).toBe(403);
  });

  it('never exceed their creator’s role, need a session to be made, and expire within a year', async () => {
    const op = await createUser('tok-op', 'operator');
    const tooHigh = await call('POST', '/api/tokens', { cookie: op.cookie }, { name: 'x', role: 'admin', expiresInDays: 1 });
    expect(tooHigh).toMatchObject({ status: 403, json: { error: { message: expect.stringContaining('your role is operator') as unknown } } });
    expect((await dash.server.store.listAudit(1))[0]).toMatchObject({ actor: 'tok-op', action: 'token.create', result: 'error' });
    expect((await call('POST', '/api/tokens', { cookie: op.cookie }, { name: 'x', role: 'viewer', expiresInDays: 366 })).status).toBe(400);
    expect((await call('POST', '/api/tokens', { cookie: op.cookie }, { name: 'x', role: 'viewer' })).status).toBe(400);
    const { secret } = await createToken(op.cookie, 'x', 'operator');
    const minted = await call('POST', '/api/tokens', { bearer: secret }, { name: 'y', role: 'viewer', expiresInDays: 1 });
    expect(minted).toMatchObject({ status: 403, json: { error: { message: expect.stringContaining('signed-in session') as unknown } } });
    expect((await call('POST', '/api/auth/password', { bearer: secret }, { currentPassword: PASSWORD, newPassword: 'another long password' })).status).toBe(403);
  });

  it('follow their owner: demoted with them, gone with them', async () => {
    const owner = await createUser('tok-owner', 'admin');
    const { secret } = await createToken(owner.cookie, 'automation', 'admin');
    expect((await call('GET', '/api/users', { bearer: secret })).status).toBe(200);
    expect((await call('PATCH', `/api/users/${owner.id}`, { cookie: admin }, { role: 'viewer' })).status).toBe(200);
    expect(await me(secret)).toEqual({ status: 200, json: { user: { username: 'tok-owner', role: 'viewer' } } });
    expect((await call('GET', '/api/users', { bearer: secret })).status).toBe(403);
    expect((await call('DELETE', `/api/users/${owner.id}`, { cookie: admin })).status).toBe(204);
    expect((await me(secret)).status).toBe(401);
  });

  it('are revoked at once, by their owner or an admin; other users see and revoke none but their own', async () => {
    const ann = await createUser('tok-ann', 'viewer');
    const bob = await createUser('tok-bob', 'viewer');
    const a1 = await createToken(ann.cookie, 'one', 'viewer');
    const a2 = await createToken(ann.cookie, 'two', 'viewer');
    const b1 = await createToken(bob.cookie, 'one', 'viewer');
    const annList = tokenListResponseSchema.parse((await call('GET', '/api/tokens', { cookie: ann.cookie })).json);
    expect(annList.tokens.map((t) => t.name)).toEqual(['one', 'two']);
    const adminList = tokenListResponseSchema.parse((await call('GET', '/api/tokens', { cookie: admin })).json);
    expect(adminList.tokens.filter((t) => t.username === 'tok-ann' || t.username === 'tok-bob').map((t) => `${t.username}/${t.name}`)).toEqual(['tok-ann/one', 'tok-ann/two', 'tok-bob/one']);

    expect((await call('DELETE', `/api/tokens/${b1.token.id}`, { cookie: ann.cookie })).status).toBe(404);
    expect((await me(b1.secret)).status).toBe(200);
    expect((await me(a1.secret)).status).toBe(200);
    expect((await call('DELETE', `/api/tokens/${a1.token.id}`, { cookie: ann.cookie })).status).toBe(204);
    expect((await me(a1.secret)).status).toBe(401);
    expect((await dash.server.store.listAudit(1))[0]).toMatchObject({ actor: 'tok-ann', action: 'token.revoke', target: 'token:tok-ann/one', result: 'ok' });
    expect((await call('DELETE', `/api/tokens/${b1.token.id}`, { cookie: admin })).status).toBe(204);
    expect((await me(b1.secret)).status).toBe(401);
    // A token may revoke itself (or its owner's others), e.g. at the end of a CI job.
    expect((await call('DELETE', `/api/tokens/${a2.token.id}`, { bearer: a2.secret })).status).toBe(204);
    expect((await me(a2.secret)).status).toBe(401);
    expect((await call('DELETE', '/api/tokens/not-an-id', { cookie: admin })).status).toBe(404);
  });

  it('record their last use, at most once a minute', async () => {
    const { token, secret } = await createToken(admin, 'usage', 'viewer');
    const before = Date.now();
    await me(secret);
    const first = (await dash.server.store.findApiToken(token.id))?.lastUsedAt ?? 0;
    expect(first).toBeGreaterThanOrEqual(before);
    await me(secret);
    expect((await dash.server.store.findApiToken(token.id))?.lastUsedAt).toBe(first);
    // A minute later (moved back in the store rather than waited for), the next use is written.
    await dash.server.store.touchApiToken(token.id, first - TOUCH_INTERVAL_MS);
    await me(secret);
    expect((await dash.server.store.findApiToken(token.id))?.lastUsedAt).toBeGreaterThanOrEqual(before);
    const listed = tokenListResponseSchema.parse((await call('GET', '/api/tokens', { cookie: admin })).json).tokens.find((t) => t.id === token.id);
    expect(listed?.lastUsedAt).toBeGreaterThanOrEqual(before);
  });

  it('do not open browser sockets', async () => {
    const { secret } = await createToken(admin, 'socket', 'admin');
    const socket = io(`${dash.url}/browsers`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      auth: { protocolVersion: PROTOCOL_VERSION, token: secret },
      extraHeaders: { authorization: `Bearer ${secret}`, origin: dash.url },
    });
    sockets.push(socket);
    const outcome = await new Promise<string>((resolve) => {
      socket.once('connect', () => resolve('connected'));
      socket.once('connect_error', (err) => resolve((err as Error & { data?: { code: string } }).data?.code ?? err.message));
    });
    expect(outcome).toBe('UNAUTHENTICATED');
    // The same socket with the admin's session cookie connects: the refusal is about the token.
    const withCookie = io(`${dash.url}/browsers`, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { protocolVersion: PROTOCOL_VERSION }, extraHeaders: { cookie: admin, origin: dash.url } });
    sockets.push(withCookie);
    await new Promise<void>((resolve, reject) => withCookie.once('connect', resolve).once('connect_error', reject));
  });
});
