import { destinationListResponseSchema, destinationResponseSchema, testSendResponseSchema } from '@ctscope/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver } from '../notify/receiver.testing';
import { startTestDashboard, type TestDashboard } from '../testing/test-dashboard';
import { SIGNATURE_HEADER } from '../notify/webhook';

let dash: TestDashboard;
let admin = '';
const closers: (() => Promise<void>)[] = [];
beforeAll(async () => {
  dash = await startTestDashboard();
  admin = await dash.login();
});
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
  for (const d of await dash.server.store.listDestinations()) await dash.server.store.deleteDestination(d.id);
});
afterAll(async () => {
  await dash.close();
});

async function call(method: string, path: string, cookie: string, body?: unknown): Promise<{ status: number; json: unknown; text: string }> {
  const res = await fetch(`${dash.url}${path}`, {
    method,
    headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, text, json: text && res.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as unknown) : text };
}
const lastAudit = async () => (await dash.server.store.listAudit(1))[0];
async function receiver(...args: Parameters<typeof startReceiver>) {
  const r = await startReceiver(...args);
  closers.push(r.close);
  return r;
}

describe('notification destinations API', () => {
  it('admins create, list, edit and delete; secrets are stored but never sent back; every change audited', async () => {
    const hook = await receiver();
    const created = await call('POST', '/api/notifications', admin, { name: 'Ops', kind: 'webhook', url: `${hook.url}/secret-token-path`, hmacSecret: 'sixteen-chars-or-more' });
    expect(created.status).toBe(201);
    const { destination } = destinationResponseSchema.parse(created.json);
    expect(destination).toMatchObject({ name: 'Ops', kind: 'webhook', enabled: true, minSeverity: 'warning', hosts: [], urlMasked: `${hook.url}/…`, hasSecret: true });
    expect(created.text).not.toContain('secret-token-path');
    expect(created.text).not.toContain('sixteen-chars');
    expect(await lastAudit()).toMatchObject({ actor: 'admin', action: 'notify.create', target: 'notify:Ops', result: 'ok', detail: { before: null, after: { url: `${hook.url}/…`, hasSecret: true } } });
    expect(JSON.stringify((await lastAudit())?.detail)).not.toContain('secret-token-path');

    const listed = await call('GET', '/api/notifications', admin);
    expect(destinationListResponseSchema.parse(listed.json).destinations.map((d) => d.id)).toEqual([destination.id]);
    expect(listed.text).not.toMatch(/secret-token-path|sixteen-chars/);

    // An edit without url or secret keeps both: the test send still reaches the path and is signed.
    const edited = await call('PUT', `/api/notifications/${destination.id}`, admin, { name: 'Ops', kind: 'webhook', minSeverity: 'critical', hosts: ['gw1'] });
    expect(destinationResponseSchema.parse(edited.json).destination).toMatchObject({ minSeverity: 'critical', hosts: ['gw1'], hasSecret: true });
    expect(await lastAudit()).toMatchObject({ action: 'notify.update', detail: { before: { minSeverity: 'warning' }, after: { minSeverity: 'critical' } } });
    const tested = testSendResponseSchema.parse((await call('POST', `/api/notifications/${destination.id}/test`, admin)).json);
    expect(tested).toMatchObject({ ok: true, error: null, destination: { status: { sent: 1, lastError: null } } });
    expect(hook.received[0]?.path).toBe('/secret-token-path');
    expect(hook.received[0]?.headers[SIGNATURE_HEADER.toLowerCase()]).toMatch(/^t=\d+,v1=/);
    expect(JSON.parse(hook.received[0]?.body ?? '')).toMatchObject({ version: 1, test: true, status: 'firing' });
    expect(await lastAudit()).toMatchObject({ action: 'notify.test', result: 'ok' });

    // null removes the secret.
    await call('PUT', `/api/notifications/${destination.id}`, admin, { name: 'Ops', kind: 'webhook', hmacSecret: null });
    expect(await dash.server.store.findDestination(destination.id)).toMatchObject({ secret: {}, url: `${hook.url}/secret-token-path` });

    expect((await call('DELETE', `/api/notifications/${destination.id}`, admin)).status).toBe(204);
    expect(await lastAudit()).toMatchObject({ action: 'notify.delete', detail: { after: null } });
    expect((await call('DELETE', `/api/notifications/${destination.id}`, admin)).status).toBe(404);
  });

  it('a failing destination: the test answers the error, which stays on its status', async () => {
    const down = await receiver((_req, res) => void res.writeHead(500).end('receiver broke'));
    const { destination } = destinationResponseSchema.parse((await call('POST', '/api/notifications', admin, { name: 'Broken', kind: 'slack', url: `${down.url}/services/T/B/X` })).json);
    const tested = testSendResponseSchema.parse((await call('POST', `/api/notifications/${destination.id}/test`, admin)).json);
    expect(tested).toMatchObject({ ok: false, error: `${down.url} answered 500: receiver broke` });
    expect(tested.destination.status).toMatchObject({ lastError: `${down.url} answered 500: receiver broke`, lastSuccessAt: null });
    expect(await lastAudit()).toMatchObject({ action: 'notify.test', result: 'error' });
    const listed = destinationListResponseSchema.parse((await call('GET', '/api/notifications', admin)).json);
    expect(listed.destinations[0]?.status.lastFailureAt).toEqual(expect.any(Number));
  });

  it('refuses bad input with messages that say what to fix', async () => {
    const bad = async (body: unknown) => ((await call('POST', '/api/notifications', admin, body)).json as { error: { message: string } }).error.message;
    expect(await bad({ name: 'x', kind: 'webhook', url: 'file:///etc/passwd' })).toMatch(/http:\/\/ or https:\/\//);
    expect(await bad({ name: 'x', kind: 'webhook', url: 'http://user:pw@127.0.0.1/' })).toMatch(/no user or password/);
    expect(await bad({ name: 'x', kind: 'webhook' })).toMatch(/url: required/);
    expect(await bad({ name: 'x', kind: 'slack', url: 'http://127.0.0.1/', hmacSecret: 'sixteen-chars-or-more' })).toMatch(/only a webhook/);
    expect(await bad({ name: 'x', kind: 'webhook', url: 'http://127.0.0.1/', auth: { type: 'bearer', token: 't' } })).toMatch(/only Alertmanager/);
    expect(await bad({ name: 'x', kind: 'pager', url: 'http://127.0.0.1/' })).toMatch(/kind/);
    expect((await call('PUT', '/api/notifications/nonexistent-id', admin, { name: 'x', kind: 'webhook' })).status).toBe(404);
  });

  it('only admins: others are refused and the attempt is audited', async () => {
    expect((await call('POST', '/api/users', admin, { username: 'olga', password: 'a long enough password', role: 'operator' })).status).toBe(201);
    const olga = await dash.login('olga', 'a long enough password');
    expect((await call('GET', '/api/notifications', olga)).status).toBe(403);
    const refused = await call('POST', '/api/notifications', olga, { name: 'x', kind: 'webhook', url: 'http://127.0.0.1:9/' });
    expect(refused.json).toEqual({ error: { code: 'FORBIDDEN', message: 'only admins can do this' } });
    expect(await lastAudit()).toMatchObject({ actor: 'olga', action: 'notify.create', result: 'error' });
    expect(await dash.server.store.listDestinations()).toEqual([]);
    expect((await call('GET', '/api/notifications', '')).status).toBe(401);
  });
});
