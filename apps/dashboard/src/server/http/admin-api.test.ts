import { PROTOCOL_VERSION, PUBLIC_URL_PLACEHOLDER, enrollmentResponseSchema, type ViewState } from '@ctscope/protocol';
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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

async function call(method: string, path: string, cookie: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${dash.url}${path}`, {
    method,
    redirect: 'manual',
    headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text && res.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as unknown) : text };
}

async function createUser(username: string, role: 'admin' | 'operator' | 'viewer'): Promise<{ id: number; cookie: string }> {
  const res = await call('POST', '/api/users', admin, { username, password: PASSWORD, role });
  expect(res.status).toBe(201);
  return { id: (res.json as { user: { id: number } }).user.id, cookie: await dash.login(username, PASSWORD) };
}

const lastAudit = async () => (await dash.server.store.listAudit(1))[0];

function connect(namespace: string, options: Parameters<typeof io>[1]): Socket {
  const socket = io(`${dash.url}${namespace}`, { transports: ['websocket'], reconnection: false, forceNew: true, ...options });
  sockets.push(socket);
  return socket;
}
const outcome = (socket: Socket): Promise<{ code: string; message: string } | 'connected'> =>
  new Promise((resolve) => {
    socket.once('connect', () => resolve('connected'));
    socket.once('connect_error', (err) => resolve((err as Error & { data: { code: string; message: string } }).data));
  });
const agentInfo = { hostname: 'edge-1', agentVersion: '0.1.0', kernel: '6.18', source: 'cli' as const };

describe('users and roles', () => {
  it('lets admins create, list, re-role, reset and delete users, each audited', async () => {
    const carol = await createUser('carol', 'viewer');
    expect(await lastAudit()).toMatchObject({ actor: 'admin', action: 'user.create', target: 'user:carol', result: 'ok', detail: { before: null, after: { username: 'carol', role: 'viewer' } } });
    const list = await call('GET', '/api/users', admin);
    expect((list.json as { users: { username: string }[] }).users.map((u) => u.username)).toContain('carol');
    expect((await call('POST', '/api/users', admin, { username: 'carol', password: PASSWORD, role: 'viewer' })).status).toBe(409);
    expect((await call('POST', '/api/users', admin, { username: 'dave', password: 'short', role: 'viewer' })).json).toMatchObject({ error: { code: 'BAD_REQUEST', message: expect.stringContaining('password') as unknown } });

    expect((await call('PATCH', `/api/users/${carol.id}`, admin, { role: 'operator' })).json).toMatchObject({ user: { role: 'operator' } });
    expect(await lastAudit()).toMatchObject({ action: 'user.role', detail: { before: { role: 'viewer' }, after: { role: 'operator' } } });
    // The role applies to the open session at once.
    expect((await call('GET', '/api/auth/me', carol.cookie)).json).toEqual({ user: { username: 'carol', role: 'operator' } });

    expect((await call('POST', `/api/users/${carol.id}/password`, admin, { password: 'another long password' })).status).toBe(204);
    expect((await call('GET', '/api/auth/me', carol.cookie)).status).toBe(401);
    const again = await dash.login('carol', 'another long password');
    expect((await call('DELETE', `/api/users/${carol.id}`, admin)).status).toBe(204);
    expect(await lastAudit()).toMatchObject({ action: 'user.delete', target: 'user:carol', detail: { before: { username: 'carol', role: 'operator' }, after: null } });
    expect((await call('GET', '/api/auth/me', again)).status).toBe(401);
    expect((await call('DELETE', `/api/users/${carol.id}`, admin)).status).toBe(404);
  });

  it('keeps the last admin and refuses admins removing or demoting themselves', async () => {
    const me = await dash.server.store.findUserByName('admin');
    expect((await call('DELETE', `/api/users/${me?.id ?? 0}`, admin)).status).toBe(409);
    expect((await call('PATCH', `/api/users/${me?.id ?? 0}`, admin, { role: 'viewer' })).status).toBe(409);
    const other = await createUser('erin', 'admin');
    // erin may demote the other admin now, but not when that would leave no admin.
    expect((await call('PATCH', `/api/users/${me?.id ?? 0}`, other.cookie, { role: 'admin' })).status).toBe(200);
    expect((await call('DELETE', `/api/users/${other.id}`, admin)).status).toBe(204);
  });

  it('refuses non-admins with 403, logs the attempt in the audit', async () => {
    const viewer = await createUser('victor', 'viewer');
    const op = await createUser('olga', 'operator');
    expect((await call('GET', '/api/users', viewer.cookie)).status).toBe(403);
    const res = await call('DELETE', `/api/users/${op.id}`, op.cookie);
    expect(res).toEqual({ status: 403, json: { error: { code: 'FORBIDDEN', message: 'only admins can do this' } } });
    expect(await lastAudit()).toMatchObject({ actor: 'olga', action: 'user.delete', result: 'error', detail: { refused: 'the operator role may not do this' } });
    expect((await call('POST', '/api/hosts', viewer.cookie, { id: 'x1', hostname: 'x1' })).status).toBe(403);
    expect(await lastAudit()).toMatchObject({ actor: 'victor', action: 'host.add', target: 'x1', result: 'error' });
  });

  it('lets every user change their own password with the current one; other sessions end', async () => {
    const u = await createUser('paula', 'viewer');
    const second = await dash.login('paula', PASSWORD);
    expect((await call('POST', '/api/auth/password', u.cookie, { currentPassword: 'wrong', newPassword: 'my new long password' })).status).toBe(400);
    expect((await call('POST', '/api/auth/password', u.cookie, { currentPassword: PASSWORD, newPassword: 'my new long password' })).status).toBe(204);
    expect((await call('GET', '/api/auth/me', u.cookie)).status).toBe(200);
    expect((await call('GET', '/api/auth/me', second)).status).toBe(401);
    await dash.login('paula', 'my new long password');
  });

  it('applies role changes and deletions to open browser sockets at once', async () => {
    const u = await createUser('sam', 'viewer');
    const browser = connect('/browsers', { auth: { protocolVersion: PROTOCOL_VERSION }, extraHeaders: { cookie: u.cookie, origin: dash.url } });
    expect(await outcome(browser)).toBe('connected');
    const del = () => browser.timeout(5000).emitWithAck('flows:flush', { hostId: 'nowhere', confirmCount: 1 }) as Promise<{ ok: boolean; code?: string }>;
    expect(await del()).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    await call('PATCH', `/api/users/${u.id}`, admin, { role: 'operator' });
    expect(await del()).toMatchObject({ ok: false, code: 'HOST_OFFLINE' });
    const closed = new Promise((resolve) => browser.once('disconnect', resolve));
    await call('DELETE', `/api/users/${u.id}`, admin);
    expect(await closed).toBe('io server disconnect');
  });

  it('closes the sockets of a session at logout at once, and only that session\'s', async () => {
    const u = await createUser('lou', 'viewer');
    const otherSession = await dash.login('lou', PASSWORD);
    const open = (cookie: string) => connect('/browsers', { auth: { protocolVersion: PROTOCOL_VERSION }, extraHeaders: { cookie, origin: dash.url } });
    const [first, second, other] = [open(u.cookie), open(u.cookie), open(otherSession)];
    expect(await Promise.all([outcome(first), outcome(second), outcome(other)])).toEqual(['connected', 'connected', 'connected']);
    const closed = Promise.all([first, second].map((s) => new Promise((resolve) => s.once('disconnect', resolve))));
    const started = Date.now();
    expect((await call('POST', '/api/auth/logout', u.cookie, undefined, { origin: dash.url })).status).toBe(204);
    expect(await closed).toEqual(['io server disconnect', 'io server disconnect']);
    expect(Date.now() - started).toBeLessThan(2000);
    // The user's other session keeps its socket and can still ask.
    expect(other.connected).toBe(true);
    expect(await (other.timeout(5000).emitWithAck('flows:flush', { hostId: 'nowhere', confirmCount: 1 }) as Promise<{ code?: string }>)).toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('hosts', () => {
  it('adds a host with a token shown once, revokes it (agent dropped, refused after) and re-issues it', async () => {
    const added = await call('POST', '/api/hosts', admin, { id: 'edge-1', hostname: 'edge-1.example' });
    expect(added.status).toBe(201);
    const { enrollment, host } = enrollmentResponseSchema.parse(added.json);
    expect(host).toMatchObject({ host: { id: 'edge-1', online: false }, revokedAt: null });
    expect(enrollment.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // No CTSCOPE_PUBLIC_URL and no packages here (downloads.test.ts has both): said so, not guessed from the request.
    expect(enrollment.dashboardUrl).toBeNull();
    expect(enrollment.install).toEqual([]);
    expect(enrollment.configureCommand).toContain(PUBLIC_URL_PLACEHOLDER);
    expect(JSON.stringify(enrollment)).not.toContain(dash.url);
    expect((await call('GET', '/api/hosts/downloads', admin)).json).toEqual({ dashboardUrl: null, install: [] });
    expect(enrollment.writeTokenCommand).toContain('-m 0600');
    expect(JSON.stringify({ ...enrollment, token: undefined })).not.toContain(enrollment.token);
    expect(JSON.stringify(await dash.server.store.listAudit(5))).not.toContain(enrollment.token);
    expect(JSON.stringify((await call('GET', '/api/hosts/managed', admin)).json)).not.toContain(enrollment.token);
    expect((await call('POST', '/api/hosts', admin, { id: 'edge-1', hostname: 'again' })).status).toBe(409);

    const agent = connect('/agents', { auth: { protocolVersion: PROTOCOL_VERSION, token: enrollment.token, info: agentInfo } });
    expect(await outcome(agent)).toBe('connected');
    await expect.poll(async () => JSON.stringify((await call('GET', '/api/hosts', admin)).json)).toContain('"online":true');
    const dropped = new Promise((resolve) => agent.once('disconnect', resolve));
    const revoked = await call('POST', '/api/hosts/edge-1/revoke', admin);
    expect(revoked.json).toMatchObject({ host: { host: { id: 'edge-1', online: false } } });
    expect(await dropped).toBe('transport close');
    expect(await lastAudit()).toMatchObject({ action: 'host.revoke', target: 'edge-1', detail: { after: { revoked: true, disconnected: true } } });
    const retry = connect('/agents', { auth: { protocolVersion: PROTOCOL_VERSION, token: enrollment.token, info: agentInfo } });
    expect(await outcome(retry)).toMatchObject({ code: 'UNAUTHENTICATED' });

    const reissued = enrollmentResponseSchema.parse((await call('POST', '/api/hosts/edge-1/token', admin)).json);
    expect(reissued.enrollment.token).not.toBe(enrollment.token);
    expect(reissued.host.revokedAt).toBeNull();
    expect(await outcome(connect('/agents', { auth: { protocolVersion: PROTOCOL_VERSION, token: reissued.enrollment.token, info: agentInfo } }))).toBe('connected');
    expect((await call('POST', '/api/hosts/nope/revoke', admin)).status).toBe(404);
  });
});

describe('views', () => {
  const state: ViewState = { page: 'connections', hostId: 'edge-1', query: 'dport 443', columns: ['proto', 'src', 'dst'], sort: { column: 'bytes', desc: true }, range: null, eventTypes: null };

  it('saves, lists, shares, renames, opens by URL and deletes views; owner or admin only', async () => {
    const owner = await createUser('vera', 'viewer');
    const other = await createUser('walt', 'operator');
    const created = await call('POST', '/api/views', owner.cookie, { name: ' HTTPS talkers ', state });
    expect(created.status).toBe(201);
    const view = (created.json as { view: { id: string; href: string; name: string; editable: boolean } }).view;
    expect(view).toMatchObject({ name: 'HTTPS talkers', editable: true, href: '/connections?host=edge-1&q=dport+443&sort=bytes&desc=1&cols=proto%2Csrc%2Cdst' });
    expect(await lastAudit()).toMatchObject({ actor: 'vera', action: 'view.create', target: `view:${view.id}` });

    // Private: invisible to others, by list, by id and by URL.
    expect((await call('GET', '/api/views', other.cookie)).json).toEqual({ views: [] });
    expect((await call('GET', `/api/views/${view.id}`, other.cookie)).status).toBe(404);
    expect(await call('GET', `/views/${view.id}`, other.cookie)).toMatchObject({ status: 303 });
    const redirect = await fetch(`${dash.url}/views/${view.id}`, { headers: { cookie: owner.cookie }, redirect: 'manual' });
    expect(redirect.headers.get('location')).toBe(view.href);
    expect((await fetch(`${dash.url}/views/${view.id}`, { redirect: 'manual' })).headers.get('location')).toBe(`/login?next=${encodeURIComponent(`/views/${view.id}`)}`);

    expect((await call('PATCH', `/api/views/${view.id}`, owner.cookie, { shared: true })).json).toMatchObject({ view: { shared: true } });
    expect((await call('GET', '/api/views', other.cookie)).json).toMatchObject({ views: [{ id: view.id, owner: 'vera', editable: false }] });
    expect((await call('PATCH', `/api/views/${view.id}`, other.cookie, { name: 'mine now' })).status).toBe(403);
    expect((await call('DELETE', `/api/views/${view.id}`, other.cookie)).status).toBe(403);
    expect((await call('PATCH', `/api/views/${view.id}`, admin, { name: 'Renamed by admin' })).json).toMatchObject({ view: { name: 'Renamed by admin', editable: true } });
    expect((await call('PATCH', `/api/views/${view.id}`, owner.cookie, {})).status).toBe(400);
    expect((await call('POST', '/api/views', owner.cookie, { name: 'bad', state: { ...state, page: 'shell' } })).status).toBe(400);
    expect((await call('DELETE', `/api/views/${view.id}`, owner.cookie)).status).toBe(204);
    expect((await call('GET', `/api/views/${view.id}`, owner.cookie)).status).toBe(404);
  });
});

describe('audit API', () => {
  it('shows a private view\'s name and query only to its owner and to admins', async () => {
    const state: ViewState = { page: 'connections', hostId: 'edge-1', query: 'src:10.99.88.77', columns: ['proto'], sort: null, range: null, eventTypes: null };
    const owner = await createUser('priya', 'viewer');
    const other = await createUser('quentin', 'operator');
    const created = await call('POST', '/api/views', owner.cookie, { name: 'incident-4711 suspects', state });
    const id = (created.json as { view: { id: string } }).view.id;
    await call('PATCH', `/api/views/${id}`, owner.cookie, { name: 'incident-4711 renamed' });
    const sharedView = await call('POST', '/api/views', owner.cookie, { name: 'team board', shared: true, state: { ...state, query: 'dport:53' } });
    const sharedId = (sharedView.json as { view: { id: string } }).view.id;
    const secrets = ['incident-4711', '10.99.88.77', '10.99.88.77'.replace(/\./g, '%2E'), 'src%3A10.99'];
    const seenBy = async (cookie: string) => {
      const page = JSON.stringify((await call('GET', `/api/audit?target=view:${id}&pageSize=25`, cookie)).json);
      const csv = await (await fetch(`${dash.url}/api/audit/export?format=csv&actor=priya`, { headers: { cookie } })).text();
      const jsonl = await (await fetch(`${dash.url}/api/audit/export?format=jsonl&actor=priya`, { headers: { cookie } })).text();
      return { page, csv, jsonl };
    };

    const others = await seenBy(other.cookie);
    for (const text of Object.values(others)) for (const secret of secrets) expect(text).not.toContain(secret);
    // They still see that a view was made and changed, by whom, and the shared view in full.
    expect(JSON.parse(others.page)).toMatchObject({ total: 2, rows: [{ action: 'view.update', actor: 'priya' }, { action: 'view.create', actor: 'priya' }] });
    expect(others.page).toContain('(private view)');
    expect(others.jsonl).toContain('team board');
    expect(others.jsonl).toContain(`view:${sharedId}`);
    expect(others.csv).toContain('dport');

    for (const cookie of [owner.cookie, admin]) {
      const seen = await seenBy(cookie);
      for (const text of Object.values(seen)) expect(text).toContain('incident-4711');
      expect(seen.jsonl).toContain('10.99.88.77');
    }
    // Deleted, it stays private in the log.
    await call('DELETE', `/api/views/${id}`, owner.cookie);
    const afterDelete = await seenBy(other.cookie);
    for (const text of Object.values(afterDelete)) for (const secret of secrets) expect(text).not.toContain(secret);
    expect((await seenBy(owner.cookie)).jsonl).toContain('incident-4711');
  });

  it('pages and filters server-side and exports CSV and JSON lines', async () => {
    for (let i = 0; i < 7; i++) await dash.server.store.appendAudit({ at: Date.now(), actor: 'auditor', action: 'conntrack.delete', target: 'gw9', detail: { request: { keys: i }, result: { deleted: 1 } }, result: 'ok' });
    const page = await call('GET', '/api/audit?actor=auditor&pageSize=25&page=1', admin);
    expect(page.json).toMatchObject({ total: 7, page: 1, pageSize: 25 });
    expect((await call('GET', '/api/audit?pageSize=7', admin)).status).toBe(400);
    const second = (await call('GET', '/api/audit?target=gw9&pageSize=25&page=2', admin)).json as { rows: unknown[] };
    expect(second.rows).toEqual([]);
    const facets = (await call('GET', '/api/audit/facets', admin)).json as { actors: string[] };
    expect(facets.actors).toContain('auditor');

    const csv = await fetch(`${dash.url}/api/audit/export?format=csv&actor=auditor`, { headers: { cookie: admin } });
    expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename="ctscope-audit-.*\.csv"/);
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toBe('time,actor,target,action,result,what,before,after');
    expect(lines).toHaveLength(8);
    expect(lines[1]).toContain(',auditor,gw9,conntrack.delete,ok,"{""keys"":6}",,"{""deleted"":1}"');
    const jsonl = await (await fetch(`${dash.url}/api/audit/export?format=jsonl&actor=auditor`, { headers: { cookie: admin } })).text();
    expect(jsonl.trim().split('\n').map((l) => (JSON.parse(l) as { actor: string }).actor)).toEqual(Array(7).fill('auditor'));
  });
});

describe('cross-site writes', () => {
  it('refuses writes from another origin or marked cross-site', async () => {
    expect((await call('POST', '/api/views', admin, { name: 'x', state: {} }, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await call('DELETE', '/api/users/1', admin, undefined, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await call('POST', '/api/views', admin, { name: 'x', state: {} }, { origin: dash.url })).status).toBe(400);
  });
});
