import { freePort } from '@ctscope/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SSO_PASSWORD_HASH } from './oidc-users';
import { TEST_ADMIN_PASSWORD, startTestDashboard, type TestDashboard } from '../testing/test-dashboard';

describe('single sign-on while the provider is unreachable, with local login off', () => {
  let dash: TestDashboard;
  beforeAll(async () => {
    dash = await startTestDashboard({
      env: {
        // A port nothing listens on: the provider is down.
        CTSCOPE_OIDC_ISSUER: `http://127.0.0.1:${await freePort()}`,
        CTSCOPE_OIDC_CLIENT_ID: 'ctscope',
        CTSCOPE_OIDC_CLIENT_SECRET: 'client secret',
        CTSCOPE_OIDC_ROLE_MAP: 'netops=operator',
        CTSCOPE_PUBLIC_URL: 'http://127.0.0.1:3000',
        CTSCOPE_LOCAL_LOGIN: 'off',
      },
    });
  });
  afterAll(async () => dash.close());

  it('starts anyway and tells the login page that SSO is unavailable', async () => {
    const res = await fetch(`${dash.url}/api/auth/methods`);
    expect(await res.json()).toEqual({ localLogin: false, sso: { available: false } });
  });

  it('sends an SSO login back to the login page saying so, keeping where it was going', async () => {
    const res = await fetch(`${dash.url}/auth/oidc/login?next=${encodeURIComponent('/connections?q=tcp')}`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/login?sso_error=unavailable&next=${encodeURIComponent('/connections?q=tcp')}`);
    // ?next= is kept only as a path on the dashboard's own origin, as after a password login.
    for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
      const away = await fetch(`${dash.url}/auth/oidc/login?next=${encodeURIComponent(next)}`, { redirect: 'manual' });
      expect(away.headers.get('location')).toBe('/login?sso_error=unavailable');
    }
  });

  it('refuses a callback without the signed login state (forged, expired or from another browser)', async () => {
    const res = await fetch(`${dash.url}/auth/oidc/callback?code=abc&state=def`, { redirect: 'manual', headers: { cookie: 'ctscope_oidc=eyJ9.forged' } });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?sso_error=expired');
    expect(res.headers.get('set-cookie')).toMatch(/^ctscope_oidc=; Max-Age=0/);
  });

  it('keeps the password form for the bootstrap admin only (break-glass)', async () => {
    const admin = await fetch(`${dash.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: TEST_ADMIN_PASSWORD }) });
    expect(admin.status).toBe(200);
    const cookie = admin.headers.get('set-cookie')?.split(';')[0] ?? '';
    const created = await fetch(`${dash.url}/api/users`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify({ username: 'ned', password: 'local ned password', role: 'operator' }) });
    expect(created.status).toBe(201);
    const ned = await fetch(`${dash.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'ned', password: 'local ned password' }) });
    expect(ned.status).toBe(403);
    expect(((await ned.json()) as { error: { code: string; message: string } }).error).toEqual({
      code: 'FORBIDDEN',
      message: 'password login is turned off here: use "Sign in with SSO" (only the admin account may sign in with a password, as a break-glass account)',
    });
  });

  it('gives SSO users no password: the form refuses them and an admin cannot set one', async () => {
    const sso = await dash.server.store.createOidcUser('olga', SSO_PASSWORD_HASH, 'operator', { issuer: 'https://idp.example', subject: 'olga' });
    const cookie = await dash.login();
    const reset = await fetch(`${dash.url}/api/users/${sso.id}/password`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify({ password: 'a password for olga' }) });
    expect(reset.status).toBe(409);
    expect(((await reset.json()) as { error: { message: string } }).error.message).toBe('olga signs in through single sign-on (https://idp.example) and has no password here');
    const listed = (await (await fetch(`${dash.url}/api/users`, { headers: { cookie } })).json()) as { users: { username: string; ssoIssuer?: string }[] };
    expect(listed.users.find((u) => u.username === 'olga')?.ssoIssuer).toBe('https://idp.example');
    expect(listed.users.find((u) => u.username === 'admin')).not.toHaveProperty('ssoIssuer');
  });
});
