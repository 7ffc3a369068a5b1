import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDashboard, TEST_ADMIN_PASSWORD, type TestDashboard } from '../testing/test-dashboard';

let dash: TestDashboard;
beforeAll(async () => {
  dash = await startTestDashboard();
});
afterAll(async () => {
  await dash.close();
});

const login = (body: unknown) =>
  fetch(`${dash.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('HTTP API auth', () => {
  it('answers 401 with a code and a hint when not logged in', async () => {
    const res = await fetch(`${dash.url}/api/hosts`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'log in first: POST /api/auth/login' } });
  });

  it('rejects a malformed login body with 400 naming the field', async () => {
    const res = await login({ username: 'admin' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('password');
  });

  it('rejects a wrong password without setting a cookie', async () => {
    const res = await login({ username: 'admin', password: 'nope' });
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('logs in with an httpOnly SameSite session cookie and lists hosts', async () => {
    const res = await login({ username: 'admin', password: TEST_ADMIN_PASSWORD });
    expect(res.status).toBe(200);
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^ctscope_session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    const cookie = setCookie.split(';')[0] ?? '';
    const hosts = await fetch(`${dash.url}/api/hosts`, { headers: { cookie } });
    expect(hosts.status).toBe(200);
    const body = (await hosts.json()) as { hosts: Array<{ id: string; online: boolean; latest: unknown }> };
    expect(body.hosts).toHaveLength(1);
    expect(body.hosts[0]).toMatchObject({ online: false, latest: null });
  });

  it('ends the session on logout', async () => {
    const cookie = await dash.login();
    await fetch(`${dash.url}/api/auth/logout`, { method: 'POST', headers: { cookie } });
    expect((await fetch(`${dash.url}/api/hosts`, { headers: { cookie } })).status).toBe(401);
  });

  it('refuses oversized JSON bodies', async () => {
    const res = await login({ username: 'admin', password: 'x'.repeat(100_000) });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'BAD_REQUEST' } });
  });

  it('sends security headers', async () => {
    const res = await fetch(`${dash.url}/api/hosts`);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('allows scripts only from this origin or with a fresh nonce per response, never unsafe-inline', async () => {
    const scriptSrc = async () => {
      const csp = (await fetch(`${dash.url}/healthz`)).headers.get('content-security-policy') ?? '';
      return csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src')) ?? '';
    };
    const [a, b] = [await scriptSrc(), await scriptSrc()];
    expect(a).toMatch(/^script-src 'self' 'nonce-[A-Za-z0-9+/]{24}'$/);
    expect(a).not.toContain('unsafe-inline');
    expect(b).not.toBe(a);
  });
});
