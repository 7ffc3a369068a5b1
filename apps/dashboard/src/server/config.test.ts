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
