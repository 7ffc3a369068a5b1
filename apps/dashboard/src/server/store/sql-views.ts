import { viewStateSchema } from '@ctscope/protocol';
import type { Db } from './db';
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

export async function createView(db: Db, view: ViewRecord): Promise<void> {
  await db.run(`INSERT INTO views (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, [
    view.id,
    view.ownerId,
    view.ownerName,
    view.name,
    view.shared ? 1 : 0,
    JSON.stringify(view.state),
    view.createdAt,
    view.updatedAt,
  ]);
}

export async function findView(db: Db, id: string): Promise<ViewRecord | undefined> {
  const row = await db.get<ViewRow>(`SELECT ${COLUMNS} FROM views WHERE id = ?`, [id]);
  return row && toView(row);
}

export async function listViewsFor(db: Db, userId: number): Promise<ViewRecord[]> {
  const rows = await db.all<ViewRow>(`SELECT ${COLUMNS} FROM views WHERE owner_id = ? OR shared = 1 ORDER BY lower(name), id`, [userId]);
  return rows.flatMap((row) => toView(row) ?? []);
}

export async function updateView(db: Db, id: string, patch: { name?: string; shared?: boolean }, at: number): Promise<ViewRecord | undefined> {
  await db.run('UPDATE views SET name = coalesce(?, name), shared = coalesce(?, shared), updated_at = ? WHERE id = ?', [
    patch.name ?? null,
    patch.shared === undefined ? null : patch.shared ? 1 : 0,
    at,
    id,
  ]);
  return findView(db, id);
}

export async function deleteView(db: Db, id: string): Promise<boolean> {
  return (await db.run('DELETE FROM views WHERE id = ?', [id])) > 0;
}
