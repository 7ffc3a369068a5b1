import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from './migrations';
import { SqliteStore } from './sqlite-store';
import { compositionContract } from './composition-contract';
import { storeContract } from './store-contract';

/** SHA-256 of each released SQLite step: existing databases count on them staying exactly as shipped. */
const RELEASED_SQLITE_STEPS = [
  '9620285ecce3eb48ebad79f3095b7b4efec281016d8a52c65860e6a2710532bb',
  'ccba77c16a25af5813bc5cb2d62748f17090117b4bee7cca16c200a83ab6dd74',
  '6a60cc7febbec39c06a21cf093189d015c64d4c578e48bafec4bafa24563fa00',
];

describe('SQLite store', () => {
  storeContract(async () => new SqliteStore(':memory:'));
  compositionContract(async () => new SqliteStore(':memory:'));

  it('never changes a released schema step (add a new step instead)', () => {
    const hashes = MIGRATIONS.map((step) => createHash('sha256').update(step.sql.sqlite).digest('hex'));
    expect(hashes.slice(0, RELEASED_SQLITE_STEPS.length)).toEqual(RELEASED_SQLITE_STEPS);
  });

  it('upgrades a database made by an earlier version step by step and keeps its rows', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ctscope-sqlite-'));
    try {
      const file = join(dir, 'old.sqlite');
      const old = new Database(file);
      old.exec(MIGRATIONS[0]?.sql.sqlite ?? '');
      old.pragma('user_version = 1');
      old.prepare("INSERT INTO users (username, password_hash, role, created_at) VALUES ('admin', 'h', 'admin', 1)").run();
      old.close();
      const store = new SqliteStore(file);
      expect((await store.findUserByName('admin'))?.role).toBe('admin');
      expect(await store.createHost('gw1', 'gw1', 'hash', 5)).toBe(true);
      await store.close();
      const check = new Database(file);
      expect(check.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      check.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
