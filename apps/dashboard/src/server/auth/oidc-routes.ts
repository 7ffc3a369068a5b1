import * as client from 'openid-client';
import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { safeNext } from '../../ui/safe-next';
import type { LiveUserSockets } from '../sockets/user-sockets';
import type { Store } from '../store/types';
import type { OidcProvider } from './oidc-client';
import { claimValues, roleForGroups } from './oidc-roles';
import { LoginStateCookie, OIDC_STATE_TTL_MS } from './oidc-state';
import { signInSsoUser } from './oidc-users';
import type { Sessions } from './sessions';

export interface OidcRoutesDeps {
  provider: OidcProvider;
  store: Store;
  sessions: Sessions;
  liveUsers: LiveUserSockets;
  secureCookies: boolean;
  logger: Logger;
}

/** Why an SSO login did not end in a session; the login page words each for the user. */
export type SsoError = 'unavailable' | 'expired' | 'denied' | 'failed' | 'no_role';

const MAX_SHOWN_GROUPS = 12;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * GET /auth/oidc/login starts the authorization code flow (state, nonce, PKCE S256) and
 * GET /auth/oidc/callback finishes it: the ID token is checked (signature, issuer, audience, nonce,
 * expiry, by openid-client), the role claim mapped, the user found or created, a session made.
 */
export function oidcRouter(deps: OidcRoutesDeps): Router {
  const { provider, store, sessions, liveUsers, logger } = deps;
  const settings = provider.settings;
  const stateCookie = new LoginStateCookie(settings.clientSecret, deps.secureCookies);
  const origin = new URL(settings.redirectUri).origin;
  const router = express.Router();

  const toLogin = (res: Response, error: SsoError, next: string, extra: Record<string, string> = {}) => {
    const query = new URLSearchParams({ sso_error: error, ...extra, ...(next !== '/' && { next }) });
    res.setHeader('Set-Cookie', stateCookie.clear());
    res.redirect(303, `/login?${query.toString()}`);
  };

  router.get('/login', async (req: Request, res: Response) => {
    const next = safeNext(typeof req.query.next === 'string' ? req.query.next : null, origin);
    const configuration = await provider.get();
    if (!configuration) return toLogin(res, 'unavailable', next);
    const pending = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier(), next, expiresAt: Date.now() + OIDC_STATE_TTL_MS };
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: settings.redirectUri,
      scope: settings.scopes,
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
    });
    res.setHeader('Set-Cookie', stateCookie.serialize(pending));
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(303, url.href);
  });

  router.get('/callback', async (req: Request, res: Response) => {
    const pending = stateCookie.parse(req.headers.cookie);
    if (!pending) return toLogin(res, 'expired', '/');
    const configuration = await provider.get();
    if (!configuration) return toLogin(res, 'unavailable', pending.next);
    // The URL the provider redirected to, rebuilt from the configured redirect URI, never from the Host header.
    const current = new URL(settings.redirectUri);
    current.search = new URL(req.originalUrl, origin).search;
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(configuration, current, { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true });
    } catch (err) {
      if (err instanceof client.AuthorizationResponseError) {
        logger.warn({ error: err.error }, 'single sign-on: the provider answered with an error');
        return toLogin(res, 'denied', pending.next);
      }
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'single sign-on: the authorization response or ID token was refused');
      return toLogin(res, 'failed', pending.next);
    }
    const idClaims = tokens.claims();
    if (!idClaims) return toLogin(res, 'failed', pending.next);
    let claims: Record<string, unknown> = { ...idClaims };
    let groups = claimValues(claims, settings.roleClaim);
    // Providers that keep scope claims out of the ID token (OIDC core 5.4) give them at the userinfo endpoint.
    if (groups.length === 0 && configuration.serverMetadata().userinfo_endpoint) {
      try {
        claims = { ...(await client.fetchUserInfo(configuration, tokens.access_token, idClaims.sub)), ...claims };
        groups = claimValues(claims, settings.roleClaim);
      } catch (err) {
        logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'single sign-on: userinfo could not be read');
      }
    }
    const identity = { issuer: idClaims.iss, subject: idClaims.sub };
    const role = roleForGroups(groups, settings.roleMap);
    const who = typeof claims.preferred_username === 'string' ? claims.preferred_username : idClaims.sub;
    if (!role) {
      // Someone the provider no longer puts in a mapped group loses their open sessions here too.
      const known = await store.findUserByOidc(identity);
      const ended = known ? await store.deleteUserSessions(known.id) : 0;
      await store.appendAudit({ at: Date.now(), actor: known?.username ?? `sso:${who}`.slice(0, 100), action: 'auth.sso-refused', target: `user:${known?.username ?? who}`.slice(0, 200), detail: { issuer: identity.issuer, subject: identity.subject, claim: settings.roleClaim, groups: groups.slice(0, 50), sessionsEnded: ended }, result: 'error' });
      if (known) await liveUsers.refresh(known.id);
      logger.warn({ issuer: identity.issuer, subject: identity.subject, groups }, 'single sign-on refused: no group maps to a role');
      return toLogin(res, 'no_role', pending.next, { groups: groups.slice(0, MAX_SHOWN_GROUPS).map((g) => g.slice(0, 64)).join(',') });
    }
    const login = await signInSsoUser(store, identity, claims, role);
    await store.appendAudit({
      at: Date.now(),
      actor: login.user.username,
      action: 'auth.sso-login',
      target: `user:${login.user.username}`,
      detail: { issuer: identity.issuer, subject: identity.subject, created: login.created, before: login.previousRole && { role: login.previousRole }, after: { role }, groups: groups.slice(0, 50) },
      result: 'ok',
    });
    // A role the provider changed applies to the user's other sessions and open sockets at once.
    if (login.previousRole && login.previousRole !== role) await liveUsers.refresh(login.user.id);
    logger.info({ username: login.user.username, role, created: login.created }, 'single sign-on login');
    const { cookie } = await sessions.create(login.user.id);
    res.setHeader('Set-Cookie', [stateCookie.clear(), cookie]);
    res.setHeader('Cache-Control', 'no-store');
    // The session cookie is SameSite=Strict and this response ends a navigation that began at the
    // provider: a redirect would still count as cross-site and go without it. A refresh from this
    // page is a same-site navigation that carries it.
    const target = escapeHtml(pending.next);
    res
      .type('html')
      .send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${target}"><title>ctscope: signing in</title></head><body><p>Signed in. <a href="${target}">Continue to ctscope</a>.</p></body></html>`);
  });

  return router;
}

/** GET /api/auth/methods, without a session: what the login page offers. */
export function authMethodsHandler(provider: OidcProvider | undefined, localLogin: boolean) {
  return async (_req: Request, res: Response) => {
    // A provider that was down at start gets another chance when someone opens the login page.
    const available = provider ? (await provider.get()) !== undefined : false;
    res.setHeader('Cache-Control', 'no-store');
    res.json({ localLogin, sso: provider ? { available } : null });
  };
}
