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
import { toDashboardClock, type DiagnosisBoard } from '../diagnoses/diagnosis-board';
import type { CompositionRecorder } from '../history/composition-recorder';
import type { AgentLinks } from '../hosts/agent-links';
import type { HostPresence, HostRegistry } from '../hosts/registry';
import type { LiveSnapshots } from '../snapshots/live-snapshots';
import type { HostRecord, Store } from '../store/types';
import { RefusalAudit } from './refusal-audit';
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
/** An agent's clock may be this far from the dashboard's; its sample times are clamped to it before they are stored. */
export const MAX_CLOCK_SKEW_MS = 5_000;
const DROP_LOG_EVERY_MS = 30_000;

export interface AgentNamespaceDeps {
  store: Store;
  registry: HostRegistry;
  links: AgentLinks;
  relay: SubscriptionRelay;
  logger: Logger;
  /** Stores the agents' composition summaries (absent: they are dropped). */
  compositions?: CompositionRecorder;
  /** Snapshot downloads in progress, which the agents' chunks are routed to. */
  liveSnapshots?: LiveSnapshots;
  /** Keeps the agents' diagnosis reports for browsers (absent: they are dropped). */
  diagnoses?: DiagnosisBoard;
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

/** A sample's time as the dashboard stores it: the agent's, unless its clock is off by more than the allowed skew. */
export const clampSampleTime = (at: number, now: number): number => Math.min(now + MAX_CLOCK_SKEW_MS, Math.max(now - MAX_CLOCK_SKEW_MS, at));

export function attachAgentNamespace(io: Server, deps: AgentNamespaceDeps): void {
  const { store, registry, links, relay, logger, compositions, liveSnapshots, diagnoses } = deps;
  const nsp = io.of(AGENT_NAMESPACE) as unknown as Namespace<AgentToServerEvents, ServerToAgentEvents, Record<string, never>, AgentSocketData>;
  // Budgets belong to the host, not the connection: reconnecting does not refill them.
  const budgets = new Map<string, { sample: (now: number) => boolean; push: (now: number) => boolean; dropped: number; loggedAt: number }>();
  const budgetOf = (hostId: string) => {
    let budget = budgets.get(hostId);
    if (!budget) budgets.set(hostId, (budget = { sample: rateLimiter(MAX_MESSAGES_PER_SECOND), push: rateLimiter(MAX_PUSHES_PER_SECOND), dropped: 0, loggedAt: 0 }));
    return budget;
  };
  /** Counts a message over budget, logging the count at most every 30 s per host. */
  const overBudget = (hostId: string, budget: ReturnType<typeof budgetOf>, now: number) => {
    budget.dropped += 1;
    if (now - budget.loggedAt < DROP_LOG_EVERY_MS) return;
    logger.warn({ hostId, dropped: budget.dropped }, 'dropped messages from an agent over its rate');
    [budget.loggedAt, budget.dropped] = [now, 0];
  };
  // Second agents with a host's token, refused while the first is healthy: a few audit rows per host, the rest counted.
  const duplicates = new RefusalAudit(store, logger, { rows: 3, windowMs: 10 * 60_000 });

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
        const current = registry.healthyConnection(host.id);
        if (current) return void refuseDuplicate(host, info, socket.handshake.address, current, next);
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

  /** Refuses a second agent for a host whose connection is healthy, after logging and auditing it; the host page shows it. */
  const refuseDuplicate = (host: HostRecord, info: AgentInfo, address: string, current: HostPresence, next: (err?: Error) => void) => {
    const message = `host ${host.id} already has a healthy agent connected (${current.agent.hostname}, since ${new Date(current.connectedAt).toISOString()}); this second agent with the same token is refused. Stop the other agent, or revoke the host's token and issue a new one if it leaked`;
    logger.warn({ hostId: host.id, address, hostname: info.hostname, connectedHostname: current.agent.hostname }, 'refused a second agent with a connected host\'s token');
    registry.duplicateRefused(host.id, { at: Date.now(), address: address.slice(0, 100), hostname: info.hostname });
    void duplicates
      .record(`host:${host.id}`, 'host.duplicate-agent', host.id, `a second agent (${info.hostname} from ${address}) connected with this host's token while ${current.agent.hostname} was connected; refused`)
      .catch((err: unknown) => logger.error({ err, hostId: host.id }, 'could not audit a refused second agent'))
      .finally(() => next(refusal(ErrorCode.Conflict, message)));
  };

  nsp.on('connection', (socket) => {
    const { host, agent } = socket.data;
    const hostId = host.id;
    const replaced = registry.connected(host, socket.id, agent);
    if (replaced) {
      logger.warn({ hostId, hostname: agent.hostname }, 'a new agent connection replaced one that had gone silent');
      nsp.sockets.get(replaced)?.disconnect(true);
    }
    logger.info({ hostId, hostname: agent.hostname, source: agent.source }, 'agent connected');
    socket.emit('welcomed', { hostId, protocolVersion: PROTOCOL_VERSION });
    links.set(hostId, socket as never);

    const budget = budgetOf(hostId);
    socket.on('stats:sampled', (payload: unknown) => {
      const now = Date.now();
      if (!budget.sample(now)) return overBudget(hostId, budget, now);
      const sample = agentToServerSchemas['stats:sampled'].safeParse(payload);
      if (!sample.success) {
        logger.warn({ hostId, issue: sample.error.issues[0]?.message }, 'dropped a malformed stats sample');
        return;
      }
      registry.sampled(hostId, socket.id, { ...sample.data, at: clampSampleTime(sample.data.at, now) }, now);
    });
    socket.on('composition:summarised', (payload: unknown) => {
      const now = Date.now();
      if (!budget.sample(now)) return overBudget(hostId, budget, now);
      const composition = agentToServerSchemas['composition:summarised'].safeParse(payload);
      if (!composition.success) {
        logger.warn({ hostId, issue: composition.error.issues[0]?.message }, 'dropped a malformed composition summary');
        return;
      }
      compositions?.received(hostId, { ...composition.data, at: clampSampleTime(composition.data.at, now) });
    });
    socket.on('diagnoses:reported', (payload: unknown) => {
      const now = Date.now();
      if (!budget.sample(now)) return overBudget(hostId, budget, now);
      const report = agentToServerSchemas['diagnoses:reported'].safeParse(payload);
      if (!report.success) {
        logger.warn({ hostId, issue: report.error.issues[0]?.message }, 'dropped a malformed diagnosis report');
        return;
      }
      diagnoses?.reported(hostId, socket.id, toDashboardClock(report.data, now));
    });
    socket.on('window:pushed', (payload: unknown) => {
      const now = Date.now();
      if (!budget.push(now)) return overBudget(hostId, budget, now);
      const push = agentToServerSchemas['window:pushed'].safeParse(payload);
      if (push.success) relay.windowPushed(hostId, push.data.subId, push.data.result);
      else logger.warn({ hostId, issue: push.error.issues[0]?.message }, 'dropped a malformed window push');
    });
    socket.on('events:batched', (payload: unknown) => {
      const now = Date.now();
      if (!budget.push(now)) return overBudget(hostId, budget, now);
      const push = agentToServerSchemas['events:batched'].safeParse(payload);
      if (push.success) relay.eventsPushed(hostId, push.data.subId, push.data.batch);
      else logger.warn({ hostId, issue: push.error.issues[0]?.message }, 'dropped a malformed event batch');
    });
    // Snapshot chunks are paced by their acks (one at a time), so they need no budget of their own.
    socket.on('snapshot:chunk', (payload: unknown, ack: unknown) => {
      if (typeof ack !== 'function') return;
      const reply = ack as (answer: unknown) => void;
      if (!liveSnapshots) return reply({ ok: false, code: ErrorCode.NotFound, message: 'this dashboard takes no snapshots' });
      liveSnapshots.chunk(hostId, payload).then(reply, (err: unknown) => {
        logger.error({ err, hostId }, 'could not write a snapshot chunk');
        reply({ ok: false, code: ErrorCode.Internal, message: 'the dashboard could not write the snapshot' });
      });
    });
    socket.on('disconnect', (reason) => {
      links.delete(hostId, socket.id);
      registry.disconnected(hostId, socket.id);
      logger.info({ hostId, reason }, 'agent disconnected');
    });
  });
}
