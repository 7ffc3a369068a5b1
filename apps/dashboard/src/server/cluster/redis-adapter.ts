import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Server } from 'socket.io';
import { BusSigner, signRedisClients, type BusDrops, type PubClient, type SubClient } from './bus-signing';

const ERROR_LOG_EVERY_MS = 30_000;

/** The Redis address without credentials, for logs and errors. */
export function redactRedisUrl(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}

/**
 * Connects to Redis and makes Socket.IO broadcasts, acks and server-side events reach every dashboard
 * server sharing it, each message signed with the cluster secret (messages that are not are dropped,
 * counted, and logged at most every 30 s). Fails at start-up when Redis cannot be reached; later outages
 * are retried by the client and logged (at most every 30 s).
 */
export async function useRedisAdapter(io: Server, url: string, secret: string, logger: Logger): Promise<{ close(): Promise<void>; dropped(): BusDrops }> {
  if (secret.length < 32) throw new Error('CTSCOPE_CLUSTER_SECRET (at least 32 characters) is required with REDIS_URL');
  const where = redactRedisUrl(url);
  const pub = new Redis(url, { lazyConnect: true, connectionName: 'ctscope-pub' });
  const sub = pub.duplicate({ connectionName: 'ctscope-sub' });
  let lastLogged = 0;
  for (const client of [pub, sub]) {
    client.on('error', (err: Error) => {
      if (Date.now() - lastLogged < ERROR_LOG_EVERY_MS) return;
      lastLogged = Date.now();
      logger.error({ redis: where, message: err.message }, 'Redis connection problem; broadcasts between dashboard servers are paused');
    });
  }
  const signer = new BusSigner(secret);
  let lastDropLogged = 0;
  signRedisClients(pub as unknown as PubClient, sub as unknown as SubClient, signer, () => {
    if (Date.now() - lastDropLogged < ERROR_LOG_EVERY_MS) return;
    lastDropLogged = Date.now();
    logger.warn({ redis: where, dropped: signer.dropped }, 'dropped messages on Redis that were not signed with this cluster\'s secret (or stale, or replayed): check that every dashboard server has the same CTSCOPE_CLUSTER_SECRET and what else can publish to this Redis');
  });
  try {
    await Promise.all([pub.connect(), sub.connect()]);
  } catch (err) {
    pub.disconnect();
    sub.disconnect();
    throw new Error(`could not reach Redis at ${where} (REDIS_URL): ${(err as Error).message}; start redis-server or fix REDIS_URL`, { cause: err });
  }
  io.adapter(createAdapter(pub, sub, { key: 'ctscope' }));
  logger.info({ redis: where }, 'sharing Socket.IO with other dashboard servers through Redis');
  return {
    dropped: () => ({ ...signer.dropped }),
    close: async () => {
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  };
}
