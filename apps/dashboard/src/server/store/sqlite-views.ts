import { viewStateSchema } from '@ctscope/protocol';
import type Database from 'better-sqlite3';
import type { ViewRecord } from './types';

interface ViewRow {
  id: string;
  owner_id: number | null;
  owner_name: string;
  name: string;
  shared: number;
  state_json: string;
  created_at: number;
  updated_at: number;
}

const COLUMNS = 'id, owner_id, owner_name, name, shared, state_json, created_at, updated_at';

/** A stored row as a view; rows whose state no longer parses are skipped rather than served broken. */
function toView(row: ViewRow): ViewRecord | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(row.state_json);
  } catch {
    return undefined;
  }
  const state = viewStateSchema.safeParse(raw);
  if (!state.success) return undefined;
  return {
    id: row.id,
    ownerId: row.owner_id,
    ownerName: row.owner_name,
    name: row.name,
    shared: row.shared === 1,
    state: state.data,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function createView(db: Database.Database, view: ViewRecord): void {
  db.prepare(`INSERT INTO views (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(
    view.id,
    view.ownerId,
    view.ownerName,
    view.name,
    view.shared ? 1 : 0,
    JSON.stringify(view.state),
    view.createdAt,
    view.updatedAt,
  );
}

export function findView(db: Database.Database, id: string): ViewRecord | undefined {
  const row = db.prepare<[string], ViewRow>(`SELECT ${COLUMNS} FROM views WHERE id = ?`).get(id);
  return row && toView(row);
}

export function listViewsFor(db: Database.Database, userId: number): ViewRecord[] {
  return db
    .prepare<[number], ViewRow>(`SELECT ${COLUMNS} FROM views WHERE owner_id = ? OR shared = 1 ORDER BY name COLLATE NOCASE, id`)
    .all(userId)
    .flatMap((row) => toView(row) ?? []);
}

export function updateView(db: Database.Database, id: string, patch: { name?: string; shared?: boolean }, at: number): ViewRecord | undefined {
  db.prepare('UPDATE views SET name = coalesce(?, name), shared = coalesce(?, shared), updated_at = ? WHERE id = ?').run(
    patch.name ?? null,
    patch.shared === undefined ? null : patch.shared ? 1 : 0,
    at,
    id,
  );
  return findView(db, id);
}

export function deleteView(db: Database.Database, id: string): boolean {
  return db.prepare('DELETE FROM views WHERE id = ?').run(id).changes > 0;
}
