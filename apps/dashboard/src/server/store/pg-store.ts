import { PgDb } from './pg-db';
import { SqlStore } from './sql-store';

/** The store on PostgreSQL (DATABASE_URL), so several dashboard servers share users, views, hosts and audit. */
export class PgStore extends SqlStore {
  /** Connects and migrates; `onIdleError` hears about pooled connections that break while idle. */
  static async open(databaseUrl: string, onIdleError: (err: Error) => void): Promise<PgStore> {
    return new PgStore(await PgDb.open(databaseUrl, onIdleError));
  }
}
