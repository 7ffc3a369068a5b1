'use client';

import { useEffect, useState } from 'react';
import { z } from 'zod';

const loginMethodsSchema = z.object({ localLogin: z.boolean(), sso: z.object({ available: z.boolean() }).nullable() });
export type LoginMethods = z.infer<typeof loginMethodsSchema>;

/** What the login page offers (GET /api/auth/methods): null while loading; local login only when it cannot be read. */
export function useLoginMethods(): LoginMethods | null {
  const [methods, setMethods] = useState<LoginMethods | null>(null);
  useEffect(() => {
    let live = true;
    void fetch('/api/auth/methods', { cache: 'no-store' })
      .then(async (res) => loginMethodsSchema.parse(await res.json()))
      .catch((): LoginMethods => ({ localLogin: true, sso: null }))
      .then((m) => live && setMethods(m));
    return () => {
      live = false;
    };
  }, []);
  return methods;
}

/** The message for an SSO login that came back without a session (/login?sso_error=...). */
export function ssoErrorMessage(params: URLSearchParams): string | null {
  switch (params.get('sso_error')) {
    case null:
      return null;
    case 'no_role': {
      const groups = (params.get('groups') ?? '').split(',').filter(Boolean);
      return groups.length > 0
        ? `Your account is not in a group allowed to use ctscope: ask an admin to map one of your groups (${groups.join(', ')}) to a role.`
        : 'Your account is not in a group allowed to use ctscope, and the identity provider named none of your groups: ask an admin to put you in a group mapped to a ctscope role.';
    }
    case 'unavailable':
      return 'Single sign-on is unavailable: the dashboard cannot reach the identity provider. Try again in a minute; if it goes on, ask an admin to check CTSCOPE_OIDC_ISSUER and the dashboard log.';
    case 'expired':
      return 'That sign-in took too long or began in another browser. Sign in again.';
    case 'denied':
      return 'The identity provider did not sign you in (was it cancelled?). Try again.';
    default:
      return 'The identity provider’s answer could not be verified. Try again; if it goes on, ask an admin to check the dashboard log.';
  }
}

/** The single sign-on button: a plain link, so it works before the page's script runs. */
export function SsoButton({ available, next }: { available: boolean; next: string | null }) {
  const href = `/auth/oidc/login${next ? `?next=${encodeURIComponent(next)}` : ''}`;
  return (
    <div className="sso-sign-in">
      <a className="sso-button" href={href}>
        Sign in with SSO
      </a>
      {!available && <p className="muted small">The identity provider did not answer when the dashboard last asked; signing in tries it again.</p>}
    </div>
  );
}
