import { z } from 'zod';
import { MAX_HISTORY_POINTS, historyPointSchema } from './stats';

/**
 * A snapshot of a live host, made by its agent on the dashboard's request (the host page's Snapshot
 * button): `snapshot:make` starts it and is answered when the file is complete; meanwhile the agent
 * sends the gzip file as `snapshot:chunk` messages, each acknowledged before the next is sent (an ack
 * that is not ok stops the snapshot: the browser went away or a limit was reached).
 */

/** Chosen by the dashboard for one snapshot; chunks name it. */
export const snapshotStreamIdSchema = z.string().regex(/^[0-9a-f]{24}$/, 'snapId: 24 hex digits');

/** Largest chunk: well under the dashboard's Socket.IO message limit (1 MB). */
export const SNAPSHOT_CHUNK_BYTES = 256 * 1024;

/** The filter as a person typed it (the query syntax or conntrack's flags); empty for the whole table. */
export const snapshotQuerySchema = z.string().max(2_000);

export const snapshotMakeRequestSchema = z.object({
  snapId: snapshotStreamIdSchema,
  query: snapshotQuerySchema,
  /** The agent stops, and answers with an error, when the file grows past this. */
  maxBytes: z.number().int().positive().max(4 * 1024 ** 3),
  /** The dashboard's stored points of the last hour, oldest first: the file takes those older than the agent's own (an agent up for less than an hour). */
  storedHistory: z.array(historyPointSchema).max(MAX_HISTORY_POINTS).default([]),
});
export type SnapshotMakeRequest = z.infer<typeof snapshotMakeRequestSchema>;

export const snapshotMadeSchema = z.object({
  flows: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  /** What the file lacks and why (as in its meta notes). */
  notes: z.array(z.string().max(500)).max(20),
});
export type SnapshotMade = z.infer<typeof snapshotMadeSchema>;

const chunkData = z.custom<Uint8Array>((value) => value instanceof Uint8Array && value.byteLength > 0 && value.byteLength <= SNAPSHOT_CHUNK_BYTES, {
  message: `data: 1 to ${SNAPSHOT_CHUNK_BYTES} bytes of binary`,
});

export const snapshotChunkSchema = z.object({
  snapId: snapshotStreamIdSchema,
  /** 0, 1, 2... in order: a gap or repeat stops the snapshot. */
  seq: z.number().int().nonnegative(),
  data: chunkData,
});
export type SnapshotChunk = z.infer<typeof snapshotChunkSchema>;
