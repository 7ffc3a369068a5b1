import pg from 'pg';
import type { Db, SqlValue } from './db';
import { MIGRATIONS } from './migrations';

/** Connections one dashboard process holds at most; requests beyond wait for a free one. */
export const PG_POOL_SIZE = 10;
/** Arbitrary fixed key of the advisory lock that lets one dashboard at a time migrate a shared database. */
const MIGRATION_LOCK_KEY = 7_117_311;

const INT8_OID = 20;
/** bigint columns (millisecond timestamps, counts, audit ids) as numbers: all stay far below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** `?` placeholders as PostgreSQL's `$1, $2, …` (the store's statements hold no `?` inside literals). */
export function numberedPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

interface Queryable {
  query(text: string, values?: unknown[]): Promise<pg.QueryResult>;
}

function queries(client: Queryable) {
  const query = (sql: string, params: readonly SqlValue[]) => client.query(numberedPlaceholders(sql), [...params]);
  return {
    all: async <Row>(sql: string, params: readonly SqlValue[] = []) => (await query(sql, params)).rows as Row[],
    get: async <Row>(sql: string, params: readonly SqlValue[] = []) => (await query(sql, params)).rows[0] as Row | undefined,
    run: async (sql: string, params: readonly SqlValue[] = []) => (await query(sql, params)).rowCount ?? 0,
  };
}

async function inTransaction<T>(client: pg.PoolClient, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** The query layer over a PostgreSQL pool (the `pg` driver); every value travels as a bound parameter. */
export class PgDb implements Db {
  readonly dialect = 'postgres';
  private readonly pool: pg.Pool;
  private readonly q: ReturnType<typeof queries>;

  private constructor(pool: pg.Pool) {
    this.pool = pool;
    this.q = queries(pool);
  }

  /** Connects, brings the schema up to date and returns the ready layer. */
  static async open(connectionString: string, onIdleError: (err: Error) => void): Promise<PgDb> {
    const pool = new pg.Pool({ connectionString, max: PG_POOL_SIZE, connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000, statement_timeout: 30_000, types });
    // An idle connection that breaks (server restart) emits here; without a listener it would end the process.
    pool.on('error', onIdleError);
    const db = new PgDb(pool);
    try {
      await db.migrate();
    } catch (err) {
      await pool.end();
      throw err;
    }
    return db;
  }

  private async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      try {
        await client.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
        const current = Number((await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_version')).rows[0]?.v ?? 0);
        for (const [i, step] of MIGRATIONS.entries()) {
          if (i < current) continue;
          await inTransaction(client, async () => {
            await client.query(step.sql.postgres);
            await client.query('INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)', [i + 1, Date.now()]);
          });
        }
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
      }
    } finally {
      client.release();
    }
  }

  all<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row[]> {
    return this.q.all<Row>(sql, params);
  }

  get<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row | undefined> {
    return this.q.get<Row>(sql, params);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.q.run(sql, params);
  }

  async transaction<T>(work: (tx: Db) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      const tx: Db = {
        dialect: this.dialect,
        ...queries(client),
        transaction: () => Promise.reject(new Error('nested transactions are not supported')),
        close: () => Promise.reject(new Error('close the store, not a transaction')),
      };
      return await inTransaction(client, () => work(tx));
    } finally {
      client.release();
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
