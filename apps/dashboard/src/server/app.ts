import type { Server as HttpServer } from 'node:http';
import { Server as HttpsServer } from 'node:https';
import express from 'express';
import next from 'next';
import type { Logger } from 'pino';
import { Server as SocketServer } from 'socket.io';
import { ensureAdmin, type AdminBootstrap } from './auth/bootstrap';
import { attachDiagnosisBus } from './cluster/diagnosis-bus';
import { attachHostBus } from './cluster/host-bus';
import type { BusDrops } from './cluster/bus-signing';
import { useRedisAdapter } from './cluster/redis-adapter';
import { LoginLimiter } from './auth/login-limiter';
import { OidcProvider } from './auth/oidc-client';
import { authMethodsHandler, oidcRouter } from './auth/oidc-routes';
import { Sessions } from './auth/sessions';
import type { DashboardConfig } from './config';
import { DiagnosisBoard } from './diagnoses/diagnosis-board';
import { AgentLinks } from './hosts/agent-links';
import { recordCompositions } from './history/composition-recorder';
import { recordHistory } from './hosts/history-recorder';
import { HostRegistry } from './hosts/registry';
import { ensureLocalAgentToken } from './hosts/local-agent-token';
import { SnapshotFiles } from './snapshots/snapshot-files';
import { SnapshotViews } from './snapshots/snapshot-views';
import { LiveSnapshots } from './snapshots/live-snapshots';
import { apiErrorHandler, apiRouter, sendError } from './http/api';
import { downloadsRouter } from './http/downloads';
import { finalErrorHandler } from './http/final-error';
import { createListener, loadTlsCredentials } from './http/listener';
import { pageGuard } from './http/page-guard';
import { sameOriginWrites } from './http/guards';
import { securityHeaders } from './http/security';
import { viewRedirect } from './http/view-redirect';
import { attachAgentNamespace } from './sockets/agents';
import { createFirstWindowLoader } from './pages/first-window';
import { firstWindowLoader, setFirstWindowLoader } from './pages/first-window-bridge';
import { attachBrowserNamespace } from './sockets/browsers';
import { LiveUserSockets } from './sockets/user-sockets';
import { NotifyService } from './notify/service';
import { openStore } from './store/open-store';
import type { Store } from './store/types';

export interface DashboardServer {
  http: HttpServer;
  /** The Express app behind `http` (its router lists the routes: the OpenAPI test reads it). */
  app: express.Express;
  store: Store;
  admin: AdminBootstrap;
  localAgent: { hostId: string; tokenFile: string };
  /** https when the dashboard serves TLS itself (CTSCOPE_TLS_CERT / CTSCOPE_TLS_KEY). */
  scheme: 'http' | 'https';
  /** Reads CTSCOPE_TLS_CERT / CTSCOPE_TLS_KEY again (a renewed certificate) for new connections; the old pair stays on error. */
  reloadTls(): Promise<void>;
  /** Alert notifications (destinations are re-read every 30 s for other servers' changes; `reload()` now). */
  notify: NotifyService;
  /** With REDIS_URL: messages from Redis dropped for want of a valid signature, by reason. */
  clusterDrops(): BusDrops | undefined;
  /** Resolves with the bound port. */
  listen(): Promise<number>;
  close(): Promise<void>;
}

/** Builds the whole dashboard: store, auth, API, sockets and (unless `pages` is false) the Next.js pages. */
export async function createDashboardServer(config: DashboardConfig, logger: Logger, options: { pages?: boolean } = {}): Promise<DashboardServer> {
  // A wrong certificate or key is reported before the store is opened or anything listens.
  const tls = await loadTlsCredentials(config.tls);
  const store = await openStore(config, logger);
  const admin = await ensureAdmin(store, config.adminPassword);
  const localAgent = await ensureLocalAgentToken(store, config.localAgentTokenFile);
  const sessions = new Sessions(store, { ttlMs: config.sessionTtlMs, secureCookies: config.secureCookies });
  const registry = new HostRegistry(store, logger);
  const links = new AgentLinks();
  const liveUsers = new LiveUserSockets(sessions);
  const notify = new NotifyService({ store, registry, logger, repeatMs: config.notify.repeatMs, publicUrl: config.publicUrl });
  await notify.reload();
  const oidc = config.oidc && new OidcProvider(config.oidc, logger);
  // Discovery starts now; an unreachable provider is logged and tried again at the next SSO login.
  void oidc?.get();
  const snapshotFiles = new SnapshotFiles(config.snapshots.dir, config.snapshots);
  const snapshots = { files: snapshotFiles, views: new SnapshotViews(snapshotFiles) };
  const liveSnapshots = new LiveSnapshots();
  const diagnoses = new DiagnosisBoard();
  // A host's diagnoses are known only while its agent is connected (here or on another server).
  const stopClearing = registry.subscribe({ changed: (host) => void (host.online || diagnoses.cleared(host.id)), sampled: () => undefined });

  const app = express();
  app.disable('x-powered-by');
  // Express's production behaviour whatever NODE_ENV is (the final error handler below sends no stacks).
  app.set('env', 'production');
  app.set('trust proxy', 'loopback');
  app.use(...securityHeaders({ dev: config.dev, https: config.secureCookies }));
  app.get('/api/auth/methods', authMethodsHandler(oidc, config.localLogin));
  app.use(
    '/api',
    sameOriginWrites(config.allowedOrigins),
    express.json({ limit: '64kb' }),
    apiRouter({ store, sessions, registry, limiter: new LoginLimiter(), logger, links, liveUsers, publicUrl: config.publicUrl, releaseDir: config.releaseDir, notify, localLogin: config.localLogin, snapshots, liveSnapshots: { streams: liveSnapshots, maxBytes: config.snapshots.maxBytes } }),
    apiErrorHandler(logger),
  );
  app.get('/healthz', (_req, res) => void res.json({ ok: true }));
  app.use('/downloads', downloadsRouter(config.releaseDir, logger));
  app.get('/views/:id', viewRedirect(store, sessions));
  if (oidc) app.use('/auth/oidc', oidcRouter({ provider: oidc, store, sessions, liveUsers, secureCookies: config.secureCookies, logger }));

  let nextApp: ReturnType<typeof next> | undefined;
  if (options.pages !== false) {
    nextApp = next({ dev: config.dev, dir: config.appDir, hostname: config.host, port: config.port });
    await nextApp.prepare();
  }
  app.use(pageGuard(sessions));
  if (nextApp) {
    const handle = nextApp.getRequestHandler();
    app.all('/{*path}', (req, res) => void handle(req, res));
  } else {
    app.use((_req, res) => sendError(res, 404, 'NOT_FOUND', 'pages are disabled in this server'));
  }
  app.use(finalErrorHandler(logger));

  const http = createListener(app, tls);
  // Pings every 10 s, dead after 5 s more: a silently cut agent is shown offline within 15 s, not
  // Socket.IO's default 45 s.
  const io = new SocketServer(http, { maxHttpBufferSize: 1_000_000, serveClient: false, pingInterval: 10_000, pingTimeout: 5_000 });
  const redis = config.redisUrl ? await useRedisAdapter(io, config.redisUrl, config.clusterSecret ?? '', logger) : undefined;
  const stopHistory = recordHistory(registry, store, config.history, logger);
  const compositions = recordCompositions(store, config.history, logger);
  liveUsers.attach(io);
  const browsers = attachBrowserNamespace(io, {
    sessions,
    registry,
    allowedOrigins: config.allowedOrigins,
    links,
    store,
    logger,
    historyStepMs: config.history.stepMs,
    clustered: redis !== undefined,
    diagnoses,
  });
  attachAgentNamespace(io, { store, registry, links, relay: browsers.relay, logger, compositions, liveSnapshots, diagnoses });
  // The connections page reads its first rows while it is rendered (this process renders the pages).
  const loadFirstWindow = nextApp && createFirstWindowLoader({ sessions, registry, links, relay: browsers.relay, limits: browsers.limits, logger });
  if (loadFirstWindow) setFirstWindowLoader(loadFirstWindow);
  const leaveCluster = redis && attachHostBus(io, { registry, links, relay: browsers.relay, liveUsers, logger });
  const leaveDiagnosisBus = redis && attachDiagnosisBus(io, { board: diagnoses, registry, logger });
  // Socket.IO's default namespace is not used: refuse it so nothing can connect there.
  io.of('/').use((_socket, nextFn) => nextFn(new Error('use the /agents or /browsers namespace')));

  const sweep = setInterval(() => void store.deleteExpiredSessions(Date.now()).catch((err: unknown) => logger.error({ err }, 'could not delete expired sessions')), 3600_000);
  sweep.unref();

  return {
    http,
    app,
    store,
    admin,
    localAgent: { hostId: localAgent.hostId, tokenFile: config.localAgentTokenFile },
    scheme: config.tls ? 'https' : 'http',
    reloadTls: async () => {
      const renewed = await loadTlsCredentials(config.tls);
      if (!renewed || !(http instanceof HttpsServer)) throw new Error('the dashboard does not serve HTTPS itself (CTSCOPE_TLS_CERT and CTSCOPE_TLS_KEY are not set)');
      http.setSecureContext(renewed);
    },
    notify,
    clusterDrops: () => redis?.dropped(),
    listen: () =>
      new Promise((resolve, reject) => {
        http.once('error', reject);
        http.listen(config.port, config.host, () => {
          const address = http.address();
          resolve(typeof address === 'object' && address ? address.port : config.port);
        });
      }),
    close: async () => {
      clearInterval(sweep);
      if (loadFirstWindow && firstWindowLoader() === loadFirstWindow) setFirstWindowLoader(undefined);
      browsers.detach();
      leaveCluster?.();
      leaveDiagnosisBus?.();
      stopClearing();
      stopHistory();
      notify.close();
      compositions.stop();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await redis?.close();
      await nextApp?.close();
      await store.close();
    },
  };
}
