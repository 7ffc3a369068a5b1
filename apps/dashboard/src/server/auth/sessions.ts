import { createHash, randomBytes } from 'node:crypto';
import { parse as parseCookie, serialize as serializeCookie } from 'cookie';
import type { SessionUser } from '@ctscope/protocol';
import type { Store } from '../store/types';

export const SESSION_COOKIE = 'ctscope_session';
/** Over HTTPS the cookie carries the __Host- prefix: browsers then insist on Secure, Path=/ and no Domain. */
export const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export interface SessionOptions {
  ttlMs: number;
  secureCookies: boolean;
}

/** Opaque random session tokens; only their SHA-256 is stored, so a leaked database opens no session. */
export class Sessions {
  constructor(
    private readonly store: Store,
    private readonly options: SessionOptions,
  ) {}

  /** The session cookie's name: __Host- prefixed when served over HTTPS. */
  get cookieName(): string {
    return this.options.secureCookies ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
  }

  async create(userId: number, now = Date.now()): Promise<{ token: string; cookie: string }> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = now + this.options.ttlMs;
    await this.store.createSession({ tokenHash: sha256(token), userId, expiresAt });
    return { token, cookie: this.cookie(token, this.options.ttlMs) };
  }

  /** The user behind a Cookie header, or null. */
  async userFromCookieHeader(header: string | undefined, now = Date.now()): Promise<(SessionUser & { id: number }) | null> {
    const token = header ? parseCookie(header)[this.cookieName] : undefined;
    if (!token) return null;
    const session = await this.store.findSession(sha256(token), now);
    if (!session) return null;
    const user = await this.store.findUserById(session.userId);
    return user ? { id: user.id, username: user.username, role: user.role } : null;
  }

  /** The stored hash of the session token in a Cookie header (to keep that session while ending others). */
  tokenHashFromCookieHeader(header: string | undefined): string | undefined {
    const token = header ? parseCookie(header)[this.cookieName] : undefined;
    return token ? sha256(token) : undefined;
  }

  async destroyFromCookieHeader(header: string | undefined): Promise<string> {
    const token = header ? parseCookie(header)[this.cookieName] : undefined;
    if (token) await this.store.deleteSession(sha256(token));
    return this.cookie('', 0);
  }

  private cookie(value: string, ttlMs: number): string {
    return serializeCookie(this.cookieName, value, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.options.secureCookies,
      path: '/',
      maxAge: Math.floor(ttlMs / 1000),
    });
  }
}
