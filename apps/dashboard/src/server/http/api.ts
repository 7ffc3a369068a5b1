import { ErrorCode, describeZodError, loginRequestSchema, type SessionUser } from '@ctscope/protocol';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { ADMIN_USERNAME } from '../auth/bootstrap';
import { HashSlots, LoginLimiter } from '../auth/login-limiter';
import { verifyPassword } from '../auth/passwords';
import type { Sessions } from '../auth/sessions';
import type { HostRegistry } from '../hosts/registry';
import type { AgentLinks } from '../hosts/agent-links';
import type { NotifyService } from '../notify/service';
import type { LiveUserSockets } from '../sockets/user-sockets';
import type { Store } from '../store/types';
import { auditRouter } from './audit-api';
import { hostsRouter } from './hosts-api';
import { notifyRouter } from './notify-api';
import { openApiDocument } from './openapi';
import { apiTokenAuth } from './tokens-api-auth';
import { tokensRouter } from './tokens-api';
import { usersRouter } from './users-api';
import { viewsRouter } from './views-api';
import { sendError } from './send-error';
import { snapshotsRouter, type SnapshotsApiDeps } from './snapshots-api';
import { hostSnapshotRouter } from './host-snapshot-api';
import type { LiveSnapshots } from '../snapshots/live-snapshots';

export interface ApiDeps {
  store: Store;
  sessions: Sessions;
  registry: HostRegistry;
  limiter: LoginLimiter;
  /** Failed logins per address across usernames (default: 50 per 15 minutes). */
  addressLimiter?: LoginLimiter;
  /** Password hashes running at once (default: 4). */
  hashSlots?: HashSlots;
  logger: Logger;
  /** Live agent sockets, so a revoked host is disconnected at once. */
  links?: AgentLinks;
  /** Open browser sockets, so role changes and ended sessions apply at once. */
  liveUsers?: LiveUserSockets;
  /** The dashboard's address as agents reach it (enrollment commands). */
  publicUrl?: string | undefined;
  /** The agent packages the enrollment commands install (CTSCOPE_RELEASE_DIR). */
  releaseDir?: string | undefined;
  /** Alert notifications (the Notifications page's routes are absent without it). */
  notify?: NotifyService;
  /** false (CTSCOPE_LOCAL_LOGIN=off): only the bootstrap admin may use the password form, as a break-glass account. */
  localLogin?: boolean;
  /** Uploaded incident snapshots (none: the routes are absent). */
  snapshots?: Pick<SnapshotsApiDeps, 'files' | 'views'> | undefined;
  /** Snapshots of live hosts (the host page's Snapshot button; none: the route is absent). */
  liveSnapshots?: { streams: LiveSnapshots; maxBytes: number } | undefined;
}

type AuthedRequest = Request & { user?: SessionUser & { id: number } };

export { sendError };

// Verifying against a real hash for unknown users keeps response times from revealing which names exist.
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$JUJ9ysOvJXLKK+vTVH8p+w$EZ+tlYLU7yNvi6Qm4/LXfywcS24oNnpu+MXKCNP3raY';

export function apiRouter({ store, sessions, registry, limiter, logger, links, liveUsers, publicUrl, releaseDir, notify, snapshots, liveSnapshots, ...deps }: ApiDeps): Router {
  const router = express.Router();
  const addressLimiter = deps.addressLimiter ?? new LoginLimiter(50);
  const hashSlots = deps.hashSlots ?? new HashSlots();

  router.post('/auth/login', async (req: Request, res: Response) => {
    const body = loginRequestSchema.safeParse(req.body);
    if (!body.success) return sendError(res, 400, ErrorCode.BadRequest, `expected JSON { "username", "password" }: ${describeZodError(body.error)}`);
    if (deps.localLogin === false && body.data.username !== ADMIN_USERNAME) {
      return sendError(res, 403, ErrorCode.Forbidden, `password login is turned off here: use "Sign in with SSO" (only the ${ADMIN_USERNAME} account may sign in with a password, as a break-glass account)`);
    }
    const key = `${body.data.username}|${req.ip ?? ''}`;
    const address = req.ip ?? '';
    const wait = Math.max(limiter.retryAfter(key), addressLimiter.retryAfter(address));
    if (wait > 0) {
      res.setHeader('Retry-After', Math.ceil(wait / 1000));
      return sendError(res, 429, ErrorCode.RateLimited, `too many failed logins; try again in ${Math.ceil(wait / 60_000)} minutes`);
    }
    const user = await store.findUserByName(body.data.username);
    const checked = await hashSlots.tryRun(() => verifyPassword(user?.passwordHash ?? DUMMY_HASH, body.data.password));
    if (!checked) {
      res.setHeader('Retry-After', 1);
      return sendError(res, 429, ErrorCode.RateLimited, 'the server is busy checking other logins; try again in a second');
    }
    if (!user || !checked.value) {
      limiter.fail(key);
      addressLimiter.fail(address);
      logger.warn({ username: body.data.username, ip: req.ip }, 'failed login');
      return sendError(res, 401, ErrorCode.Unauthenticated, 'wrong username or password');
    }
    limiter.succeed(key);
    const { cookie } = await sessions.create(user.id);
    res.setHeader('Set-Cookie', cookie);
    logger.info({ username: user.username }, 'login');
    res.json({ user: { username: user.username, role: user.role } });
  });

  // Readable without signing in: it describes the contract (as the repository does), no data.
  router.get('/openapi.json', (_req: Request, res: Response) => void res.json(openApiDocument()));

  router.post('/auth/logout', async (req: Request, res: Response) => {
    const user = await sessions.userFromCookieHeader(req.headers.cookie);
    res.setHeader('Set-Cookie', await sessions.destroyFromCookieHeader(req.headers.cookie));
    // The sockets of the ended session close now (those of the user's other sessions stay), on every server.
    if (user) await liveUsers?.refresh(user.id);
    res.status(204).end();
  });

  router.use(apiTokenAuth(store, sessions));
  router.use(async (req: AuthedRequest, res: Response, next: NextFunction) => {
    if (req.user) return next(); // signed in by an API token
    const user = await sessions.userFromCookieHeader(req.headers.cookie);
    if (!user) return sendError(res, 401, ErrorCode.Unauthenticated, 'log in first: POST /api/auth/login');
    req.user = user;
    next();
  });

  router.get('/auth/me', (req: AuthedRequest, res: Response) => {
    res.json({ user: { username: req.user?.username, role: req.user?.role } });
  });

  router.get('/hosts', async (_req: Request, res: Response) => {
    res.json({ hosts: await registry.list() });
  });
  router.use(hostsRouter({ store, registry, links, publicUrl, releaseDir, logger }));
  router.use(usersRouter({ store, sessions, limiter, liveUsers, logger }));
  router.use('/views', viewsRouter({ store, logger }));
  router.use('/audit', auditRouter({ store }));
  if (notify) router.use(notifyRouter({ store, logger, notify }));
  router.use(tokensRouter({ store, logger }));
  if (snapshots) router.use('/snapshots', snapshotsRouter({ store, logger, ...snapshots }));
  if (liveSnapshots && links) router.use(hostSnapshotRouter({ store, links, logger, snapshots: liveSnapshots.streams, maxBytes: liveSnapshots.maxBytes }));

  router.use((_req: Request, res: Response) => sendError(res, 404, ErrorCode.NotFound, 'no such API endpoint'));
  return router;
}

/** Body-parser failures as JSON errors instead of HTML pages. */
export function apiErrorHandler(logger: Logger) {
  return (err: Error & { type?: string; status?: number }, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    if (err.type === 'entity.too.large') return sendError(res, 413, ErrorCode.BadRequest, 'request body too large (limit 64 kB)');
    if (err.type === 'entity.parse.failed') return sendError(res, 400, ErrorCode.BadRequest, 'request body is not valid JSON');
    // Such as a path parameter that is not valid percent-encoding (/api/views/%E0).
    if (typeof err.status === 'number' && err.status >= 400 && err.status < 500) return sendError(res, err.status, ErrorCode.BadRequest, 'the request could not be understood (check the address)');
    logger.error({ err }, 'API request failed');
    sendError(res, 500, ErrorCode.Internal, 'internal error; see the dashboard log');
  };
}
