import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Db, SqlValue } from './db';
import { MIGRATIONS } from './migrations';

/**
 * The query layer over an embedded SQLite file (better-sqlite3 is synchronous). While a transaction
 * awaits, other callers wait for it, so nothing of theirs lands inside it.
 */
export class SqliteDb implements Db {
  readonly dialect = 'sqlite';
  private readonly db: Database.Database;
  private inTransaction: Promise<void> | undefined;

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    this.db = new Database(file);
    // First, so that a second dashboard process opening the same file waits instead of failing.
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.migrate();
  }

  /** Each step in its own write-locked transaction that re-reads the version: two processes starting at once apply it once. */
  private migrate(): void {
    MIGRATIONS.forEach((step, index) => {
      this.db
        .transaction(() => {
          if ((this.db.pragma('user_version', { simple: true }) as number) > index) return;
          this.db.exec(step.sql.sqlite);
          this.db.pragma(`user_version = ${index + 1}`);
        })
        .immediate();
    });
  }

  private async idle(): Promise<void> {
    while (this.inTransaction) await this.inTransaction;
  }

  async all<Row>(sql: string, params: readonly SqlValue[] = []): Promise<Row[]> {
    await this.idle();
    return this.db.prepare(sql).all(...params) as Row[];
  }

  async get<Row>(sql: string, params: readonly SqlValue[] = []): Promise<Row | undefined> {
    await this.idle();
    return this.db.prepare(sql).get(...params) as Row | undefined;
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    await this.idle();
    return this.db.prepare(sql).run(...params).changes;
  }

  async transaction<T>(work: (tx: Db) => Promise<T>): Promise<T> {
    // Checked and taken without an await in between, so two transactions cannot both start.
    while (this.inTransaction) await this.inTransaction;
    let release = () => {};
    this.inTransaction = new Promise<void>((resolve) => (release = resolve));
    const tx: Db = {
      dialect: this.dialect,
      all: async <Row>(sql: string, params: readonly SqlValue[] = []) => this.db.prepare(sql).all(...params) as Row[],
      get: async <Row>(sql: string, params: readonly SqlValue[] = []) => this.db.prepare(sql).get(...params) as Row | undefined,
      run: async (sql, params = []) => this.db.prepare(sql).run(...params).changes,
      transaction: () => Promise.reject(new Error('nested transactions are not supported')),
      close: () => Promise.reject(new Error('close the store, not a transaction')),
    };
    try {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await work(tx);
        this.db.exec('COMMIT');
        return result;
      } catch (err) {
        this.db.exec('ROLLBACK');
        throw err;
      }
    } finally {
      this.inTransaction = undefined;
      release();
    }
  }

  async close(): Promise<void> {
    await this.idle();
    this.db.close();
  }
}
