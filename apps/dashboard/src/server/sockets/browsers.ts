import {
  BROWSER_NAMESPACE,
  ErrorCode,
  MAX_SAMPLES_PER_BATCH,
  PROTOCOL_VERSION,
  SAMPLE_BATCH_MS,
  browserToServerSchemas,
  describeZodError,
  fail,
  ok,
  versionMismatchMessage,
  type BrowserToServerEvents,
  type HostStats,
  type ServerToBrowserEvents,
  type SessionUser,
} from '@ctscope/protocol';
import type { Namespace, Server } from 'socket.io';
import type { Sessions } from '../auth/sessions';
import type { DiagnosisBoard } from '../diagnoses/diagnosis-board';
import type { HostRegistry } from '../hosts/registry';
import { attachBrowserRequests, rateLimited, type BrowserRequestDeps } from './browser-requests';
import { attachDiagnosisRequests, relayDiagnoses } from './diagnosis-relay';
import { RefusalAudit } from './refusal-audit';
import { refusal } from './refuse';
import { LatestBatcher } from './latest-batcher';
import { DEFAULT_LIMITS, RequestLimits, type Limits } from './request-limits';
import { SubscriptionRelay } from './subscription-relay';

interface BrowserSocketData {
  user: SessionUser & { id: number };
}

type BrowserNamespace = Namespace<BrowserToServerEvents, ServerToBrowserEvents, Record<string, never>, BrowserSocketData>;

const SESSION_RECHECK_MS = 60_000;

/** Same-origin check against the Host the browser connected to, plus explicitly allowed origins. */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (!origin) return false;
  if (allowed.includes(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

export interface BrowserNamespaceDeps extends Omit<BrowserRequestDeps, 'relay' | 'limits' | 'refusals'> {
  /** Request budgets per user and per socket (defaults: DEFAULT_LIMITS). */
  requestLimits?: Limits;
  sessions: Sessions;
  registry: HostRegistry;
  allowedOrigins: readonly string[];
  /** Several dashboard servers share one Socket.IO adapter: route agent pushes to browsers on any of them. */
  clustered?: boolean;
  /** The hosts' latest diagnosis reports (absent: browsers are told none). */
  diagnoses?: DiagnosisBoard;
}

/** The room of the browser socket owning one agent subscription, across the cluster. */
export const pushRoom = (hostId: string, subId: string): string => `push:${hostId}:${subId}`;

export function attachBrowserNamespace(io: Server, deps: BrowserNamespaceDeps): { relay: SubscriptionRelay; limits: RequestLimits; detach(): void } {
  const { sessions, registry, allowedOrigins, logger } = deps;
  const nsp = io.of(BROWSER_NAMESPACE) as unknown as BrowserNamespace;
  const relay = new SubscriptionRelay(
    deps.links,
    {
      window: (browserId, subId, result) => nsp.sockets.get(browserId)?.emit('window:pushed', { subId, result }),
      events: (browserId, subId, batch) => nsp.sockets.get(browserId)?.emit('events:batched', { subId, batch }),
      ...(deps.clustered && {
        opened: (browserId, hostId, subId) => void nsp.sockets.get(browserId)?.join(pushRoom(hostId, subId)),
        closed: (browserId, hostId, subId) => void nsp.sockets.get(browserId)?.leave(pushRoom(hostId, subId)),
        elsewhere: (hostId, subId, push) => {
          const room = nsp.to(pushRoom(hostId, subId));
          if ('window' in push) room.emit('window:pushed', { subId, result: push.window });
          else room.emit('events:batched', { subId, batch: push.events });
        },
      }),
    },
    logger,
  );

  nsp.use((socket, next) => {
    const { headers, auth } = socket.handshake;
    if (!originAllowed(headers.origin, headers.host, allowedOrigins)) {
      return next(refusal(ErrorCode.Forbidden, 'this origin may not open dashboard sockets'));
    }
    void sessions.userFromCookieHeader(headers.cookie).then(
      (user) => {
        if (!user) return next(refusal(ErrorCode.Unauthenticated, 'not logged in'));
        const version = (auth as { protocolVersion?: unknown } | undefined)?.protocolVersion;
        if (version !== PROTOCOL_VERSION) return next(refusal(ErrorCode.VersionMismatch, versionMismatchMessage('browser', version)));
        socket.data.user = user;
        next();
      },
      (err: unknown) => {
        logger.error({ err }, 'could not check a browser session');
        next(refusal(ErrorCode.Internal, 'the dashboard could not check your session; try again'));
      },
    );
  });

  const limits = new RequestLimits(deps.requestLimits ?? DEFAULT_LIMITS);
  const refusals = new RefusalAudit(deps.store, logger);
  nsp.on('connection', (socket) => {
    const budgets = attachBrowserRequests(socket, { ...deps, relay, limits, refusals });
    if (deps.diagnoses) attachDiagnosisRequests(socket, budgets, deps.diagnoses, logger);
    socket.on('hosts:list', (payload: unknown, ack: unknown) => {
      if (typeof ack !== 'function') return;
      const admission = budgets.admit('hosts:list');
      if ('retryAfterMs' in admission) return void ack(rateLimited(admission.retryAfterMs));
      const parsed = browserToServerSchemas['hosts:list'].safeParse(payload ?? {});
      if (!parsed.success) {
        admission.release();
        return void ack(fail(ErrorCode.BadRequest, describeZodError(parsed.error)));
      }
      void registry
        .list()
        .then(
          (hosts) => ack(ok(hosts)),
          (err: unknown) => {
            logger.error({ err }, 'hosts:list failed');
            ack(fail(ErrorCode.Internal, 'listing hosts failed; see the dashboard log'));
          },
        )
        .finally(admission.release);
    });
  });

  // Local: with several dashboard servers, each one's registry knows every host and tells its own browsers.
  // Samples go out batched: one message per browser every SAMPLE_BATCH_MS, not one per host per second.
  const samples = new LatestBatcher<HostStats>((batch) => nsp.local.emit('hosts:sampled', { samples: batch }), SAMPLE_BATCH_MS, MAX_SAMPLES_PER_BATCH);
  const unsubscribe = registry.subscribe({
    changed: (host) => {
      samples.sendNow(); // a host's news and its samples keep their order
      nsp.local.emit('host:changed', host);
    },
    sampled: (hostId, sample) => samples.add(hostId, { hostId, sample }),
  });
  const stopDiagnoses = deps.diagnoses && relayDiagnoses(nsp, deps.diagnoses);

  // Sessions end (logout, expiry) while sockets stay open: re-check them so access ends too.
  const timer = setInterval(() => {
    for (const socket of nsp.sockets.values()) {
      void sessions.userFromCookieHeader(socket.handshake.headers.cookie).then(
        (user) => user || socket.disconnect(true),
        (err: unknown) => logger.error({ err }, 'could not re-check a browser session'),
      );
    }
  }, SESSION_RECHECK_MS);
  timer.unref();
  return {
    relay,
    limits,
    detach: () => {
      unsubscribe();
      samples.stop();
      stopDiagnoses?.();
      clearInterval(timer);
      void refusals.close();
    },
  };
}
