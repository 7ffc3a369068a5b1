import { describe, expect, it } from 'vitest';
import { LoginStateCookie, type PendingLogin } from './oidc-state';

const pending: PendingLogin = { state: 's'.repeat(43), nonce: 'n'.repeat(43), verifier: 'v'.repeat(43), next: '/connections?q=tcp', expiresAt: 2_000_000 };
const header = (setCookie: string) => setCookie.split(';')[0] ?? '';

describe('the pending SSO login cookie', () => {
  const cookies = new LoginStateCookie('client secret', false);

  it('round-trips as a short-lived httpOnly SameSite=Lax cookie', () => {
    const set = cookies.serialize(pending);
    expect(set).toMatch(/^ctscope_oidc=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}; Max-Age=600; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(cookies.parse(header(set), 1_000_000)).toEqual(pending);
  });

  it('is refused when changed, signed with another secret, or expired', () => {
    const value = header(cookies.serialize(pending)).split('=')[1] ?? '';
    const [body, mac] = value.split('.');
    const forged = Buffer.from(JSON.stringify({ ...pending, next: '/evil' })).toString('base64url');
    expect(cookies.parse(`ctscope_oidc=${forged}.${mac}`, 1_000_000)).toBeUndefined();
    expect(cookies.parse(`ctscope_oidc=${body}.${mac?.slice(1)}`, 1_000_000)).toBeUndefined();
    expect(new LoginStateCookie('another secret', false).parse(`ctscope_oidc=${value}`, 1_000_000)).toBeUndefined();
    expect(cookies.parse(`ctscope_oidc=${value}`, 2_000_001)).toBeUndefined();
    expect(cookies.parse('ctscope_oidc=garbage', 1_000_000)).toBeUndefined();
    expect(cookies.parse(undefined)).toBeUndefined();
  });

  it('is __Host- prefixed and Secure over HTTPS', () => {
    expect(new LoginStateCookie('client secret', true).serialize(pending)).toMatch(/^__Host-ctscope_oidc=.*; Secure; SameSite=Lax$/);
  });
});
