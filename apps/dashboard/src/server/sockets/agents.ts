import {
  AGENT_NAMESPACE,
  ErrorCode,
  PROTOCOL_VERSION,
  agentHandshakeSchema,
  agentToServerSchemas,
  versionMismatchMessage,
  type AgentInfo,
  type AgentToServerEvents,
  type ServerToAgentEvents,
} from '@ctscope/protocol';
import type { Logger } from 'pino';
import type { Namespace, Server } from 'socket.io';
import { sha256 } from '../auth/sessions';
import type { AgentLinks } from '../hosts/agent-links';
import type { HostRegistry } from '../hosts/registry';
import type { HostRecord, Store } from '../store/types';
import { refusal } from './refuse';
import type { SubscriptionRelay } from './subscription-relay';

interface AgentSocketData {
  host: HostRecord;
  agent: AgentInfo;
}

/** Agents send a few samples per second; a flood beyond this is dropped. */
const MAX_MESSAGES_PER_SECOND = 20;
/** Window and event pushes: up to 256 subscriptions at 4–10 pushes a second each. */
const MAX_PUSHES_PER_SECOND = 3_000;

export interface AgentNamespaceDeps {
  store: Store;
  registry: HostRegistry;
  links: AgentLinks;
  relay: SubscriptionRelay;
  logger: Logger;
}

/** Counts messages per one-second window; false once the window's budget is spent. */
function rateLimiter(perSecond: number): (now: number) => boolean {
  let windowStart = 0;
  let messages = 0;
  return (now) => {
    if (now - windowStart >= 1000) [windowStart, messages] = [now, 0];
    return ++messages <= perSecond;
  };
}

export function attachAgentNamespace(io: Server, deps: AgentNamespaceDeps): void {
  const { store, registry, links, relay, logger } = deps;
  const nsp = io.of(AGENT_NAMESPACE) as unknown as Namespace<AgentToServerEvents, ServerToAgentEvents, Record<string, never>, AgentSocketData>;

  nsp.use((socket, next) => {
    const auth: unknown = socket.handshake.auth;
    const version = typeof auth === 'object' && auth !== null ? (auth as { protocolVersion?: unknown }).protocolVersion : undefined;
    if (version !== PROTOCOL_VERSION) return next(refusal(ErrorCode.VersionMismatch, versionMismatchMessage('agent', version)));
    const handshake = agentHandshakeSchema.safeParse(auth);
    if (!handshake.success) return next(refusal(ErrorCode.BadRequest, 'malformed agent handshake'));
    const { token, info } = handshake.data;
    void store.findHostByTokenHash(sha256(token)).then(
      (host) => {
        if (!host) {
          logger.warn({ address: socket.handshake.address, hostname: info.hostname }, 'agent refused: unknown token');
          return next(refusal(ErrorCode.Unauthenticated, 'unknown agent token: issue a token for this host on the dashboard and pass it with --token-file'));
        }
        socket.data.host = host;
        socket.data.agent = info;
        next();
      },
      (err: unknown) => {
        logger.error({ err }, 'could not check an agent token');
        next(refusal(ErrorCode.Internal, 'the dashboard could not check the token; see its log'));
      },
    );
  });

  nsp.on('connection', (socket) => {
    const { host, agent } = socket.data;
    const hostId = host.id;
    const replaced = registry.connected(host, socket.id, agent);
    if (replaced) nsp.sockets.get(replaced)?.disconnect(true);
    logger.info({ hostId, hostname: agent.hostname, source: agent.source }, 'agent connected');
    socket.emit('welcomed', { hostId, protocolVersion: PROTOCOL_VERSION });
    links.set(hostId, socket as never);

    const sampleAllowed = rateLimiter(MAX_MESSAGES_PER_SECOND);
    const pushAllowed = rateLimiter(MAX_PUSHES_PER_SECOND);
    socket.on('stats:sampled', (payload: unknown) => {
      const now = Date.now();
      if (!sampleAllowed(now)) return;
      const sample = agentToServerSchemas['stats:sampled'].safeParse(payload);
      if (!sample.success) {
        logger.warn({ hostId, issue: sample.error.issues[0]?.message }, 'dropped a malformed stats sample');
        return;
      }
      registry.sampled(hostId, socket.id, sample.data, now);
    });
    socket.on('window:pushed', (payload: unknown) => {
      if (!pushAllowed(Date.now())) return;
      const push = agentToServerSchemas['window:pushed'].safeParse(payload);
      if (push.success) relay.windowPushed(hostId, push.data.subId, push.data.result);
      else logger.warn({ hostId, issue: push.error.issues[0]?.message }, 'dropped a malformed window push');
    });
    socket.on('events:batched', (payload: unknown) => {
      if (!pushAllowed(Date.now())) return;
      const push = agentToServerSchemas['events:batched'].safeParse(payload);
      if (push.success) relay.eventsPushed(hostId, push.data.subId, push.data.batch);
      else logger.warn({ hostId, issue: push.error.issues[0]?.message }, 'dropped a malformed event batch');
    });
    socket.on('disconnect', (reason) => {
      links.delete(hostId, socket.id);
      registry.disconnected(hostId, socket.id);
      logger.info({ hostId, reason }, 'agent disconnected');
    });
  });
}
