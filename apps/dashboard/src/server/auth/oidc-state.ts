import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { parse as parseCookie, serialize as serializeCookie } from 'cookie';
import { z } from 'zod';

export const OIDC_STATE_COOKIE = 'ctscope_oidc';
const SECURE_OIDC_STATE_COOKIE = `__Host-${OIDC_STATE_COOKIE}`;
/** A login that takes longer at the provider than this starts over. */
export const OIDC_STATE_TTL_MS = 10 * 60_000;

const pendingSchema = z.object({
  state: z.string().min(16).max(200),
  nonce: z.string().min(16).max(200),
  verifier: z.string().min(43).max(128),
  next: z.string().max(2048),
  expiresAt: z.number().int(),
});
/** What the callback must check against: the login's state, nonce and PKCE code verifier, and where to go after. */
export type PendingLogin = z.infer<typeof pendingSchema>;

/**
 * The pending login travels in a short-lived httpOnly cookie signed with HMAC-SHA256 under a key
 * derived from the client secret, so every dashboard server of a cluster accepts it and nobody else
 * can forge one. SameSite=Lax: the provider's redirect back is a cross-site top-level GET, which a
 * Strict cookie would not come with.
 */
export class LoginStateCookie {
  private readonly key: Buffer;

  constructor(
    clientSecret: string,
    private readonly secure: boolean,
  ) {
    this.key = createHash('sha256').update('ctscope oidc login state\0').update(clientSecret).digest();
  }

  get name(): string {
    return this.secure ? SECURE_OIDC_STATE_COOKIE : OIDC_STATE_COOKIE;
  }

  serialize(pending: PendingLogin): string {
    const body = Buffer.from(JSON.stringify(pending)).toString('base64url');
    return this.cookie(`${body}.${this.sign(body)}`, OIDC_STATE_TTL_MS);
  }

  /** The pending login in a Cookie header, or undefined when absent, forged, malformed or expired. */
  parse(header: string | undefined, now = Date.now()): PendingLogin | undefined {
    const value = header ? parseCookie(header)[this.name] : undefined;
    const dot = value?.indexOf('.') ?? -1;
    if (!value || dot < 1) return undefined;
    const body = value.slice(0, dot);
    const mac = Buffer.from(value.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.sign(body), 'base64url');
    if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    const pending = pendingSchema.safeParse(json);
    return pending.success && pending.data.expiresAt > now ? pending.data : undefined;
  }

  /** Removes the cookie (a login state is good for one callback). */
  clear(): string {
    return this.cookie('', 0);
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }

  private cookie(value: string, ttlMs: number): string {
    return serializeCookie(this.name, value, { httpOnly: true, sameSite: 'lax', secure: this.secure, path: '/', maxAge: Math.floor(ttlMs / 1000) });
  }
}
