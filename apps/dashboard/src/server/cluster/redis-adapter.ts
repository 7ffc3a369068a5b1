import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Server } from 'socket.io';

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
 * server sharing it. Fails at start-up when Redis cannot be reached; later outages are retried by the
 * client and logged (at most every 30 s).
 */
export async function useRedisAdapter(io: Server, url: string, logger: Logger): Promise<{ close(): Promise<void> }> {
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
    close: async () => {
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  };
}
