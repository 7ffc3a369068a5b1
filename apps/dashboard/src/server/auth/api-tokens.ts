import { randomBytes } from 'node:crypto';
import { API_TOKEN_PATTERN, API_TOKEN_PREFIX, lowerRole, type SessionUser } from '@ctscope/protocol';
import type { Store } from '../store/types';
import { sha256 } from './sessions';

/**
 * Last-used times are written at most once a minute per token (a script polling every second would
 * otherwise write on every request); the token itself is read on every request, so a revoked, expired
 * or demoted token stops at once.
 */
export const TOUCH_INTERVAL_MS = 60_000;
export const DAY_MS = 86_400_000;

/** A new token: the secret is shown once, only its SHA-256 is stored (256 random bits need no slow hash). */
export function newApiToken(): { id: string; secret: string; hash: string } {
  const secret = `${API_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { id: randomBytes(8).toString('hex'), secret, hash: sha256(secret) };
}

/** The token of an `Authorization: Bearer ...` header; null for another scheme or no header. */
export function bearerToken(header: string | undefined): string | null {
  const match = header === undefined ? null : /^Bearer +(\S+) *$/i.exec(header);
  return match?.[1] ?? null;
}

export interface TokenUser extends SessionUser {
  id: number;
}

/**
 * The user a token acts for, with the lower of the token's role and the owner's role now (a demoted
 * owner's tokens are demoted too); null when the token is malformed, unknown, expired or revoked.
 */
export async function userFromApiToken(store: Store, secret: string, now = Date.now()): Promise<{ user: TokenUser; tokenId: string } | null> {
  if (!API_TOKEN_PATTERN.test(secret)) return null;
  const found = await store.findApiTokenByHash(sha256(secret), now);
  if (!found) return null;
  const { token, user } = found;
  if (token.lastUsedAt === null || now - token.lastUsedAt >= TOUCH_INTERVAL_MS) await store.touchApiToken(token.id, now);
  return { user: { id: user.id, username: user.username, role: lowerRole(token.role, user.role) }, tokenId: token.id };
}
