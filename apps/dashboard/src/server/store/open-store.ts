import type { Logger } from 'pino';
import { PgStore } from './pg-store';
import { SqliteStore } from './sqlite-store';
import type { Store } from './types';

/** PostgreSQL when a database URL is configured, otherwise the embedded SQLite file. */
export async function openStore(config: { databaseUrl: string | undefined; databaseFile: string }, logger: Logger): Promise<Store> {
  if (!config.databaseUrl) return new SqliteStore(config.databaseFile);
  const store = await PgStore.open(config.databaseUrl, (err) => logger.error({ err }, 'a pooled PostgreSQL connection failed while idle'));
  logger.info('store: PostgreSQL (DATABASE_URL)');
  return store;
}
