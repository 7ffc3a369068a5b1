import {
  ErrorCode,
  changeOwnPasswordRequestSchema,
  changeRoleRequestSchema,
  createUserRequestSchema,
  resetPasswordRequestSchema,
  userIdParamSchema,
  type UserSummary,
} from '@ctscope/protocol';
import express, { type Response, type Router } from 'express';
import type { Logger } from 'pino';
import type { LoginLimiter } from '../auth/login-limiter';
import { hashPassword, verifyPassword } from '../auth/passwords';
import type { Sessions } from '../auth/sessions';
import type { LiveUserSockets } from '../sockets/user-sockets';
import type { Store, UserListing, UserRecord } from '../store/types';
import { allowRoles, auditChange, parseOr400, signedIn, type SignedInRequest } from './guards';
import { sendError } from './send-error';
import { viaApiToken } from './tokens-api-auth';

export interface UsersApiDeps {
  store: Store;
  sessions: Sessions;
  limiter: LoginLimiter;
  liveUsers: LiveUserSockets | undefined;
  logger: Logger;
}

const ADMIN_ONLY = ['admin'] as const;
const toSummary = (u: UserListing): UserSummary => ({ id: u.id, username: u.username, role: u.role, createdAt: u.createdAt, ...(u.ssoIssuer !== undefined && { ssoIssuer: u.ssoIssuer }) });

/** Admins manage accounts; the last admin cannot be removed or demoted, and nobody removes themselves. */
export function usersRouter(deps: UsersApiDeps): Router {
  const { store, sessions, limiter, liveUsers, logger } = deps;
  const router = express.Router();

  const targetUser = async (req: SignedInRequest, res: Response): Promise<UserRecord | undefined> => {
    const id = userIdParamSchema.safeParse(req.params.id);
    const user = id.success ? await store.findUserById(id.data) : undefined;
    if (!user) sendError(res, 404, ErrorCode.NotFound, 'no such user');
    return user;
  };
  /** The audit target of a request about one user: their name when they exist. */
  const userTarget = async (req: SignedInRequest): Promise<string> => {
    const id = userIdParamSchema.safeParse(req.params.id);
    const user = id.success ? await store.findUserById(id.data) : undefined;
    return `user:${user ? user.username : String(req.params.id).slice(0, 64)}`;
  };
  const listing = async (id: number) => (await store.listUsers()).find((u) => u.id === id);

  router.get('/users', async (req: SignedInRequest, res) => {
    if (!(await allowRoles(deps, req, res, ADMIN_ONLY, 'user.list', 'users'))) return;
    res.json({ users: (await store.listUsers()).map(toSummary), me: signedIn(req).id });
  });

  router.post('/users', async (req: SignedInRequest, res) => {
    if (!(await allowRoles(deps, req, res, ADMIN_ONLY, 'user.create', 'users'))) return;
    const body = parseOr400(createUserRequestSchema, req.body, res);
    if (!body) return;
    if (await store.findUserByName(body.username)) return sendError(res, 409, ErrorCode.BadRequest, `a user named ${body.username} exists already`);
    const created = await store.createUser(body.username, await hashPassword(body.password), body.role);
    await auditChange(store, signedIn(req).username, 'user.create', `user:${created.username}`, { before: null, after: { username: created.username, role: created.role } });
    const summary = await listing(created.id);
    res.status(201).json({ user: summary ? toSummary(summary) : { id: created.id, username: created.username, role: created.role, createdAt: Date.now() } });
  });

  router.patch('/users/:id', async (req: SignedInRequest, res) => {
    const me = signedIn(req);
    if (!(await allowRoles(deps, req, res, ADMIN_ONLY, 'user.role', await userTarget(req)))) return;
    const user = await targetUser(req, res);
    if (!user) return;
    const body = parseOr400(changeRoleRequestSchema, req.body, res);
    if (!body) return;
    if (user.id === me.id) return sendError(res, 409, ErrorCode.BadRequest, 'you cannot change your own role; ask another admin');
    if (user.role === 'admin' && body.role !== 'admin' && (await store.countAdmins()) <= 1) return sendError(res, 409, ErrorCode.BadRequest, 'this is the last admin; make someone else admin first');
    await store.updateUserRole(user.id, body.role);
    await auditChange(store, me.username, 'user.role', `user:${user.username}`, { before: { role: user.role }, after: { role: body.role } });
    await liveUsers?.refresh(user.id);
    const summary = await listing(user.id);
    if (summary) res.json({ user: toSummary(summary) });
  });

  router.post('/users/:id/password', async (req: SignedInRequest, res) => {
    const me = signedIn(req);
    if (!(await allowRoles(deps, req, res, ADMIN_ONLY, 'user.password-reset', await userTarget(req)))) return;
    const user = await targetUser(req, res);
    if (!user) return;
    const body = parseOr400(resetPasswordRequestSchema, req.body, res);
    if (!body) return;
    if (user.ssoIssuer) return sendError(res, 409, ErrorCode.BadRequest, `${user.username} signs in through single sign-on (${user.ssoIssuer}) and has no password here`);
    await store.updateUserPassword(user.id, await hashPassword(body.password));
    // Everyone signed in with the old password is signed out (the admin keeps their own session).
    const ended = await store.deleteUserSessions(user.id, user.id === me.id ? sessions.tokenHashFromCookieHeader(req.headers.cookie) : undefined);
    await auditChange(store, me.username, 'user.password-reset', `user:${user.username}`, { before: null, after: { sessionsEnded: ended } });
    await liveUsers?.refresh(user.id);
    res.status(204).end();
  });

  router.delete('/users/:id', async (req: SignedInRequest, res) => {
    const me = signedIn(req);
    if (!(await allowRoles(deps, req, res, ADMIN_ONLY, 'user.delete', await userTarget(req)))) return;
    const user = await targetUser(req, res);
    if (!user) return;
    if (user.id === me.id) return sendError(res, 409, ErrorCode.BadRequest, 'you cannot delete yourself; ask another admin');
    if (user.role === 'admin' && (await store.countAdmins()) <= 1) return sendError(res, 409, ErrorCode.BadRequest, 'this is the last admin');
    await store.deleteUser(user.id);
    await auditChange(store, me.username, 'user.delete', `user:${user.username}`, { before: { username: user.username, role: user.role }, after: null });
    await liveUsers?.refresh(user.id);
    res.status(204).end();
  });

  router.post('/auth/password', async (req: SignedInRequest, res) => {
    const me = signedIn(req);
    if (viaApiToken(req)) return sendError(res, 403, ErrorCode.Forbidden, 'change your password from a signed-in session, not with an API token');
    const body = parseOr400(changeOwnPasswordRequestSchema, req.body, res);
    if (!body) return;
    const key = `password|${me.username}`;
    const wait = limiter.retryAfter(key);
    if (wait > 0) return sendError(res, 429, ErrorCode.RateLimited, `too many wrong passwords; try again in ${Math.ceil(wait / 60_000)} minutes`);
    const user = await store.findUserById(me.id);
    if (!user || !(await verifyPassword(user.passwordHash, body.currentPassword))) {
      limiter.fail(key);
      logger.warn({ username: me.username }, 'wrong current password on a password change');
      return sendError(res, 400, ErrorCode.BadRequest, 'currentPassword: that is not your current password');
    }
    limiter.succeed(key);
    await store.updateUserPassword(user.id, await hashPassword(body.newPassword));
    const ended = await store.deleteUserSessions(user.id, sessions.tokenHashFromCookieHeader(req.headers.cookie));
    await auditChange(store, me.username, 'user.password-change', `user:${me.username}`, { before: null, after: { otherSessionsEnded: ended } });
    await liveUsers?.refresh(user.id);
    res.status(204).end();
  });

  return router;
}
