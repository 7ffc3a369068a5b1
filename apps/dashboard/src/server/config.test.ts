import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Sessions } from './auth/sessions';
import { loadConfig } from './config';
import type { Store } from './store/types';

const env = (vars: Record<string, string> = {}): NodeJS.ProcessEnv => ({ NODE_ENV: 'test', ...vars });

describe('dashboard TLS configuration', () => {
  it('serves plain HTTP with ordinary cookies by default', () => {
    const config = loadConfig(env(), '/srv/ctscope');
    expect(config.tls).toBeUndefined();
    expect(config.secureCookies).toBe(false);
  });
  it('serves HTTPS given a certificate and key, which turns on secure cookies by itself', () => {
    const config = loadConfig(env({ CTSCOPE_TLS_CERT: '/etc/ctscope/tls/cert.pem', CTSCOPE_TLS_KEY: 'tls/key.pem' }), '/srv/ctscope');
    expect(config.tls).toEqual({ certFile: '/etc/ctscope/tls/cert.pem', keyFile: '/srv/ctscope/tls/key.pem' });
    expect(config.secureCookies).toBe(true);
  });
  it('keeps secure cookies behind a TLS proxy', () => {
    expect(loadConfig(env({ CTSCOPE_SECURE_COOKIES: 'true' }), '/srv/ctscope').secureCookies).toBe(true);
  });
  it('refuses a certificate without its key, and a key without its certificate', () => {
    expect(() => loadConfig(env({ CTSCOPE_TLS_CERT: 'cert.pem' }), '/srv')).toThrow(/set both CTSCOPE_TLS_CERT .* and CTSCOPE_TLS_KEY/);
    expect(() => loadConfig(env({ CTSCOPE_TLS_KEY: 'key.pem' }), '/srv')).toThrow(/set both/);
  });
});

describe('single sign-on configuration', () => {
  const sso = {
    CTSCOPE_OIDC_ISSUER: 'https://sso.example.internal/realms/ops',
    CTSCOPE_OIDC_CLIENT_ID: 'ctscope',
    CTSCOPE_OIDC_CLIENT_SECRET: 'client secret',
    CTSCOPE_OIDC_ROLE_MAP: 'netops=operator,admins=admin',
    CTSCOPE_PUBLIC_URL: 'https://ctscope.example.internal/',
  };
  it('is off by default, with local login on', () => {
    const config = loadConfig(env(), '/srv');
    expect(config.oidc).toBeUndefined();
    expect(config.localLogin).toBe(true);
  });
  it('reads issuer, client, claim, map and scopes; the redirect URI comes from CTSCOPE_PUBLIC_URL', () => {
    const config = loadConfig(env({ ...sso, CTSCOPE_LOCAL_LOGIN: 'off' }), '/srv');
    expect(config.oidc).toMatchObject({ clientId: 'ctscope', clientSecret: 'client secret', redirectUri: 'https://ctscope.example.internal/auth/oidc/callback', roleClaim: 'groups', scopes: 'openid profile email' });
    expect(config.oidc?.issuer.href).toBe('https://sso.example.internal/realms/ops');
    expect([...(config.oidc?.roleMap ?? [])]).toEqual([['netops', 'operator'], ['admins', 'admin']]);
    expect(config.localLogin).toBe(false);
  });
  it('reads the client secret from CTSCOPE_OIDC_CLIENT_SECRET_FILE, trimmed, relative to the app', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctscope-config-'));
    writeFileSync(join(dir, 'oidc-secret'), 'from a file\n', { mode: 0o600 });
    try {
      const { CTSCOPE_OIDC_CLIENT_SECRET: _unused, ...rest } = sso;
      expect(loadConfig(env({ ...rest, CTSCOPE_OIDC_CLIENT_SECRET_FILE: 'oidc-secret' }), dir).oidc?.clientSecret).toBe('from a file');
      expect(() => loadConfig(env({ ...rest, CTSCOPE_OIDC_CLIENT_SECRET_FILE: 'missing' }), dir)).toThrow(/CTSCOPE_OIDC_CLIENT_SECRET_FILE .*missing cannot be read \(ENOENT\)/);
      expect(() => loadConfig(env({ ...sso, CTSCOPE_OIDC_CLIENT_SECRET_FILE: 'oidc-secret' }), dir)).toThrow(/not both/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('refuses incomplete or unsafe settings, naming what to set', () => {
    const without = (key: keyof typeof sso) => Object.fromEntries(Object.entries(sso).filter(([k]) => k !== key));
    expect(() => loadConfig(env(without('CTSCOPE_OIDC_CLIENT_ID')), '/srv')).toThrow(/CTSCOPE_OIDC_CLIENT_ID is required/);
    expect(() => loadConfig(env(without('CTSCOPE_OIDC_CLIENT_SECRET')), '/srv')).toThrow(/CTSCOPE_OIDC_CLIENT_SECRET \(or CTSCOPE_OIDC_CLIENT_SECRET_FILE\) is required/);
    expect(() => loadConfig(env(without('CTSCOPE_OIDC_ROLE_MAP')), '/srv')).toThrow(/CTSCOPE_OIDC_ROLE_MAP is required/);
    expect(() => loadConfig(env(without('CTSCOPE_PUBLIC_URL')), '/srv')).toThrow(/CTSCOPE_PUBLIC_URL is required .*\/auth\/oidc\/callback/);
    expect(() => loadConfig(env({ ...sso, CTSCOPE_OIDC_ROLE_MAP: 'netops=root' }), '/srv')).toThrow(/CTSCOPE_OIDC_ROLE_MAP: "netops=root": the role must be one of/);
    expect(() => loadConfig(env({ ...sso, CTSCOPE_OIDC_ISSUER: 'http://sso.example.internal' }), '/srv')).toThrow(/must be https:\/\/ \(plain http:\/\/ only on loopback\)/);
    expect(loadConfig(env({ ...sso, CTSCOPE_OIDC_ISSUER: 'http://127.0.0.1:4000' }), '/srv').oidc?.issuer.port).toBe('4000');
    expect(() => loadConfig(env({ ...sso, CTSCOPE_OIDC_SCOPES: 'profile groups' }), '/srv')).toThrow(/must include openid/);
    expect(() => loadConfig(env({ CTSCOPE_OIDC_CLIENT_ID: 'ctscope' }), '/srv')).toThrow(/CTSCOPE_OIDC_CLIENT_ID is set but CTSCOPE_OIDC_ISSUER is not/);
    expect(() => loadConfig(env({ CTSCOPE_LOCAL_LOGIN: 'off' }), '/srv')).toThrow(/CTSCOPE_LOCAL_LOGIN=off needs single sign-on/);
  });
});

describe('session cookie over HTTPS', () => {
  const store = { createSession: async () => undefined } as unknown as Store;
  it('is __Host- prefixed and Secure', async () => {
    const { cookie } = await new Sessions(store, { ttlMs: 3600_000, secureCookies: true }).create(1);
    expect(cookie).toMatch(/^__Host-ctscope_session=[A-Za-z0-9_-]{43}; Max-Age=3600; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
  });
  it('keeps its plain name over HTTP (browsers refuse __Host- cookies without Secure)', async () => {
    const { cookie } = await new Sessions(store, { ttlMs: 3600_000, secureCookies: false }).create(1);
    expect(cookie).toMatch(/^ctscope_session=/);
    expect(cookie).not.toContain('Secure');
  });
});
