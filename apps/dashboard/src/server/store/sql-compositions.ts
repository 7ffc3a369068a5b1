import { compositionSchema, type Composition } from '@ctscope/protocol';
import type { Db } from './db';

/** Most summary times one request reads (a week at one per 10 s is 60,480; downsampled, far fewer). */
const MAX_TIMES = 50_000;

/**
 * Resolution kept by age: every summary for the last hour, then the first of each minute for a day,
 * then the first of each 10 minutes until the history days end. With the 7 default days that is about
 * 360 + 1,380 + 864 = 2,600 rows per host.
 */
export const COMPOSITION_RESOLUTION: readonly { olderThanMs: number; bucketMs: number }[] = [
  { olderThanMs: 3_600_000, bucketMs: 60_000 },
  { olderThanMs: 86_400_000, bucketMs: 600_000 },
];

export async function appendComposition(db: Db, hostId: string, composition: Composition): Promise<void> {
  await db.run(
    'INSERT INTO host_compositions (host_id, at, composition_json) VALUES (?, ?, ?) ON CONFLICT (host_id, at) DO UPDATE SET composition_json = excluded.composition_json',
    [hostId, composition.at, JSON.stringify(composition)],
  );
}

/** Times of the stored summaries in [from, to], oldest first. */
export async function compositionTimes(db: Db, hostId: string, from: number, to: number): Promise<number[]> {
  const rows = await db.all<{ at: number | string }>('SELECT at FROM host_compositions WHERE host_id = ? AND at >= ? AND at <= ? ORDER BY at LIMIT ?', [hostId, from, to, MAX_TIMES]);
  return rows.map((r) => Number(r.at));
}

/** The time of the last summary at or before `at`, else of the first one after it. */
export async function nearestCompositionTime(db: Db, hostId: string, at: number): Promise<number | undefined> {
  const before = await db.get<{ at: number | string }>('SELECT at FROM host_compositions WHERE host_id = ? AND at <= ? ORDER BY at DESC LIMIT 1', [hostId, at]);
  const row = before ?? (await db.get<{ at: number | string }>('SELECT at FROM host_compositions WHERE host_id = ? AND at > ? ORDER BY at LIMIT 1', [hostId, at]));
  return row && Number(row.at);
}

/** The summaries at these times (at most 200), oldest first; rows that no longer parse are skipped. */
export async function loadCompositions(db: Db, hostId: string, ats: readonly number[]): Promise<Composition[]> {
  const wanted = [...new Set(ats)].slice(0, 200);
  if (wanted.length === 0) return [];
  const rows = await db.all<{ composition_json: string }>(
    `SELECT composition_json FROM host_compositions WHERE host_id = ? AND at IN (${wanted.map(() => '?').join(', ')}) ORDER BY at`,
    [hostId, ...wanted],
  );
  return rows.flatMap((r) => {
    const parsed = compositionSchema.safeParse(JSON.parse(r.composition_json));
    return parsed.success ? [parsed.data] : [];
  });
}

/**
 * Deletes summaries past retention, and thins older ones to COMPOSITION_RESOLUTION: a row goes when an
 * earlier row of the same host lies in its time bucket. Returns how many rows went.
 */
export async function pruneCompositions(db: Db, now: number, retentionMs: number): Promise<number> {
  let removed = await db.run('DELETE FROM host_compositions WHERE at < ?', [now - retentionMs]);
  for (const { olderThanMs, bucketMs } of COMPOSITION_RESOLUTION) {
    removed += await db.run(
      `DELETE FROM host_compositions WHERE at < ? AND EXISTS (
         SELECT 1 FROM host_compositions earlier
          WHERE earlier.host_id = host_compositions.host_id
            AND earlier.at < host_compositions.at
            AND earlier.at >= host_compositions.at - (host_compositions.at % ?))`,
      [now - olderThanMs, bucketMs],
    );
  }
  return removed;
}
