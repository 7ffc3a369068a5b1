import { destinationKindSchema, notifySeveritySchema } from '@ctscope/protocol';
import { z } from 'zod';
import type { DestinationRecord } from '../notify/types';
import type { Db } from './db';

interface DestinationRow {
  id: string;
  name: string;
  kind: string;
  enabled: number;
  min_severity: string;
  hosts_json: string;
  url: string;
  secret_json: string;
  created_at: number | string;
  updated_at: number | string;
}

const COLUMNS = 'id, name, kind, enabled, min_severity, hosts_json, url, secret_json, created_at, updated_at';

const secretSchema = z.object({
  hmacSecret: z.string().optional(),
  auth: z
    .discriminatedUnion('type', [
      z.object({ type: z.literal('bearer'), token: z.string() }),
      z.object({ type: z.literal('basic'), username: z.string(), password: z.string() }),
    ])
    .optional(),
});

/** A stored row as a destination; a row that no longer parses is skipped rather than sent to. */
function toDestination(row: DestinationRow): DestinationRecord | undefined {
  try {
    const kind = destinationKindSchema.parse(row.kind);
    const minSeverity = notifySeveritySchema.parse(row.min_severity);
    const hosts = z.array(z.string()).parse(JSON.parse(row.hosts_json));
    const secret = secretSchema.parse(JSON.parse(row.secret_json));
    return {
      id: row.id,
      name: row.name,
      kind,
      enabled: row.enabled === 1,
      minSeverity,
      hosts,
      url: row.url,
      secret: { ...(secret.hmacSecret !== undefined && { hmacSecret: secret.hmacSecret }), ...(secret.auth && { auth: secret.auth }) },
      createdAt: Number(row.created_at),
      updatedAt: Number(row.updated_at),
    };
  } catch {
    return undefined;
  }
}

const values = (d: DestinationRecord) => [d.name, d.kind, d.enabled ? 1 : 0, d.minSeverity, JSON.stringify(d.hosts), d.url, JSON.stringify(d.secret)];

export async function createDestination(db: Db, d: DestinationRecord): Promise<void> {
  await db.run(`INSERT INTO notify_destinations (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [d.id, ...values(d), d.createdAt, d.updatedAt]);
}

export async function findDestination(db: Db, id: string): Promise<DestinationRecord | undefined> {
  const row = await db.get<DestinationRow>(`SELECT ${COLUMNS} FROM notify_destinations WHERE id = ?`, [id]);
  return row && toDestination(row);
}

export async function listDestinations(db: Db): Promise<DestinationRecord[]> {
  const rows = await db.all<DestinationRow>(`SELECT ${COLUMNS} FROM notify_destinations ORDER BY lower(name), id`);
  return rows.flatMap((row) => toDestination(row) ?? []);
}

/** Replaces everything but id and createdAt; false when there is no such destination. */
export async function updateDestination(db: Db, d: DestinationRecord): Promise<boolean> {
  const changed = await db.run(
    'UPDATE notify_destinations SET name = ?, kind = ?, enabled = ?, min_severity = ?, hosts_json = ?, url = ?, secret_json = ?, updated_at = ? WHERE id = ?',
    [...values(d), d.updatedAt, d.id],
  );
  return changed > 0;
}

export async function deleteDestination(db: Db, id: string): Promise<boolean> {
  return (await db.run('DELETE FROM notify_destinations WHERE id = ?', [id])) > 0;
}
