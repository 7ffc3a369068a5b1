import { SqliteDb } from './sqlite-db';
import { SqlStore } from './sql-store';

/** The default store: an embedded SQLite file (or ':memory:'), migrated when opened. */
export class SqliteStore extends SqlStore {
  constructor(file: string) {
    super(new SqliteDb(file));
  }
}
