import type { Role } from '@ctscope/protocol';
import type { OidcIdentity, Store, UserRecord } from '../store/types';

/** The password hash of SSO users: not an argon2 hash, so no password ever matches it. */
export const SSO_PASSWORD_HASH = '!sso';

/** A username for a new SSO user from the provider's claims, in the characters usernames allow. */
export function usernameFromClaims(claims: Readonly<Record<string, unknown>>): string {
  for (const key of ['preferred_username', 'email', 'sub'] as const) {
    const value = claims[key];
    if (typeof value !== 'string') continue;
    const name = value
      .replace(/[^A-Za-z0-9._@-]/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 56);
    if (name) return name;
  }
  return 'sso-user';
}

export type SsoLogin = { user: UserRecord; created: boolean; previousRole: Role | null };

/**
 * The user behind a provider identity, found by (issuer, subject) and never by username: a local user
 * who happens to share the name is another person and is not taken over (the SSO user gets a suffix).
 * Created at the first login; the role follows the provider's groups at every login.
 */
export async function signInSsoUser(store: Store, identity: OidcIdentity, claims: Readonly<Record<string, unknown>>, role: Role): Promise<SsoLogin> {
  const existing = await store.findUserByOidc(identity);
  if (existing) {
    if (existing.role !== role) await store.updateUserRole(existing.id, role);
    return { user: { ...existing, role }, created: false, previousRole: existing.role };
  }
  const base = usernameFromClaims(claims);
  for (let attempt = 0; attempt < 20; attempt++) {
    const username = attempt === 0 ? base : `${base}-sso${attempt === 1 ? '' : String(attempt)}`;
    if (await store.findUserByName(username)) continue;
    try {
      return { user: await store.createOidcUser(username, SSO_PASSWORD_HASH, role, identity), created: true, previousRole: null };
    } catch (err) {
      // Another server created this identity, or took the name, in the meantime.
      const raced = await store.findUserByOidc(identity);
      if (raced) {
        if (raced.role !== role) await store.updateUserRole(raced.id, role);
        return { user: { ...raced, role }, created: false, previousRole: raced.role };
      }
      if (!(await store.findUserByName(username))) throw err;
    }
  }
  throw new Error(`no free username for ${base}`);
}
