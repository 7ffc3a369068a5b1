import { AGENT_NAMESPACE, MAX_SAMPLES_PER_BATCH, SAMPLE_BATCH_MS, agentInfoSchema, hostIdSchema, statsSampleSchema } from '@ctscope/protocol';
import type { Logger } from 'pino';
import type { Server } from 'socket.io';
import { z } from 'zod';
import type { AgentLinks } from '../hosts/agent-links';
import type { HostPresence, HostRegistry } from '../hosts/registry';
import { LatestBatcher } from '../sockets/latest-batcher';
import type { LiveUserSockets } from '../sockets/user-sockets';
import type { SubscriptionRelay } from '../sockets/subscription-relay';

/** Each server repeats which agents it holds this often, so a server that starts or missed a message catches up. */
const ANNOUNCE_EVERY_MS = 5_000;
/** A server silent for this long is taken to be gone, and the hosts it held offline. */
const REMOTE_TTL_MS = 20_000;

const connectionIdSchema = z.string().min(1).max(64);
const remoteSampleSchema = z.object({ hostId: hostIdSchema, connectionId: connectionIdSchema, sample: statsSampleSchema });
const presenceSchema = z.object({
  hostId: hostIdSchema,
  connectionId: connectionIdSchema,
  connectedAt: z.number(),
  agent: agentInfoSchema,
  latest: statsSampleSchema.nullable(),
  lastSeen: z.number(),
});
const messages = {
  'cluster:connected': presenceSchema,
  'cluster:present': z.array(presenceSchema).max(100_000),
  // The newest sample of each local host since the previous message: one message per SAMPLE_BATCH_MS.
  'cluster:sampled': z.object({ samples: z.array(remoteSampleSchema).max(MAX_SAMPLES_PER_BATCH) }),
  'cluster:disconnected': z.object({ hostId: hostIdSchema, connectionId: connectionIdSchema }),
  'cluster:drop': z.object({ hostId: hostIdSchema }),
  'cluster:user': z.object({ userId: z.number().int() }),
  'cluster:hello': z.object({}),
} as const;
type Message = keyof typeof messages;

interface Bus {
  serverSideEmit(event: string, payload: unknown): boolean;
  on(event: string, listener: (payload: unknown) => void): unknown;
  off(event: string, listener: (payload: unknown) => void): unknown;
  sockets: Map<string, { disconnect(close?: boolean): unknown }>;
  to(room: string): {
    emit(event: string, payload: unknown): boolean;
    timeout(ms: number): { emitWithAck(event: string, payload: unknown): Promise<unknown[]> };
  };
}

export interface HostBusDeps {
  registry: HostRegistry;
  links: AgentLinks;
  relay: SubscriptionRelay;
  liveUsers: LiveUserSockets;
  logger: Logger;
}

/**
 * Joins this dashboard server to the others sharing its Socket.IO adapter: announces the agents it holds,
 * learns theirs, forwards requests to agents held elsewhere and applies account changes made elsewhere.
 * Messages travel as Socket.IO server-side events on the agents namespace.
 */
export function attachHostBus(io: Server, deps: HostBusDeps): () => void {
  const { registry, links, relay, liveUsers, logger } = deps;
  const bus = io.of(AGENT_NAMESPACE) as unknown as Bus;
  const send = <M extends Message>(event: M, payload: z.input<(typeof messages)[M]>) => void bus.serverSideEmit(event, payload);
  /** Closes a connection this server held that a newer one elsewhere replaced. */
  const closeReplaced = (connectionId: string | undefined) => connectionId && bus.sockets.get(connectionId)?.disconnect(true);
  const announce = () => send('cluster:present', registry.localPresence());
  const samples = new LatestBatcher<z.input<typeof remoteSampleSchema>>((batch) => send('cluster:sampled', { samples: batch }), SAMPLE_BATCH_MS, MAX_SAMPLES_PER_BATCH);

  // Samples pending for the others go out before any news of the same hosts, so they arrive in order.
  registry.usePeers({
    connected: (presence) => (samples.sendNow(), send('cluster:connected', presence)),
    sampled: (hostId, connectionId, sample) => samples.add(hostId, { hostId, connectionId, sample }),
    disconnected: (hostId, connectionId) => (samples.sendNow(), send('cluster:disconnected', { hostId, connectionId })),
  });
  links.useRemote({
    connectionOf: (hostId) => registry.remoteConnection(hostId),
    request: (connectionId, event, payload, timeoutMs) => bus.to(connectionId).timeout(timeoutMs).emitWithAck(event, payload),
    notify: (connectionId, event, payload) => void bus.to(connectionId).emit(event, payload),
    drop: (hostId) => send('cluster:drop', { hostId }),
  });
  const stopRestoring = registry.onRemoteConnected((hostId) => relay.restore(hostId));
  liveUsers.usePeers((userId) => send('cluster:user', { userId }));

  const handlers: { [M in Message]: (payload: z.infer<(typeof messages)[M]>) => void } = {
    'cluster:connected': (presence) => closeReplaced(registry.remoteConnected(presence as HostPresence)),
    'cluster:present': (list) => list.forEach((presence) => closeReplaced(registry.remoteConnected(presence as HostPresence))),
    'cluster:sampled': ({ samples: batch }) => batch.forEach(({ hostId, connectionId, sample }) => registry.remoteSampled(hostId, connectionId, sample)),
    'cluster:disconnected': ({ hostId, connectionId }) => registry.remoteDisconnected(hostId, connectionId),
    'cluster:drop': ({ hostId }) => links.disconnectLocal(hostId),
    'cluster:user': ({ userId }) => void liveUsers.refreshLocal(userId).catch((err: unknown) => logger.error({ err, userId }, 'could not re-read a user\'s sessions')),
    'cluster:hello': () => announce(),
  };
  const listeners = (Object.keys(messages) as Message[]).map((event) => {
    const listener = (payload: unknown) => {
      const parsed = messages[event].safeParse(payload);
      if (!parsed.success) return void logger.warn({ event, issue: parsed.error.issues[0]?.message }, 'dropped a malformed message from another dashboard server');
      try {
        (handlers[event] as (p: unknown) => void)(parsed.data);
      } catch (err) {
        logger.error({ err, event }, 'could not apply a message from another dashboard server');
      }
    };
    bus.on(event, listener);
    return () => void bus.off(event, listener);
  });

  const timer = setInterval(() => {
    announce();
    registry.expireRemote(Date.now() - REMOTE_TTL_MS);
  }, ANNOUNCE_EVERY_MS);
  timer.unref();
  send('cluster:hello', {});
  return () => {
    clearInterval(timer);
    samples.stop();
    stopRestoring();
    for (const off of listeners) off();
  };
}
