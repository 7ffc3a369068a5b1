import { z } from 'zod';
import { wireFlowSchema } from './flows';
import { ruleListSchema } from './rules';
import { alertSchema, historyPointSchema, MAX_HISTORY_POINTS, statsSampleSchema } from './stats';
import { sysctlParamSchema } from './sysctl';

/**
 * An incident snapshot file (docs/snapshot-format.md): gzip of newline-delimited JSON. Line 1 is the
 * header, then one line per section in SNAPSHOT_SECTIONS order, then one line per flow, then the end line.
 */
export const SNAPSHOT_FORMAT = 'ctscope-snapshot';
/** Major version: readers refuse any other. */
export const SNAPSHOT_VERSION = 1;

export const SNAPSHOT_SECTIONS = ['meta', 'sysctls', 'stats', 'composition', 'rules', 'ruleset_lines', 'kmsg', 'alerts'] as const;
export type SnapshotSectionName = (typeof SNAPSHOT_SECTIONS)[number];

const text = (max: number) => z.string().max(max);
const ms = z.number().int().nonnegative();

export const snapshotHeaderSchema = z.object({
  format: z.literal(SNAPSHOT_FORMAT),
  version: z.literal(SNAPSHOT_VERSION),
  createdAt: ms,
});
export type SnapshotHeader = z.infer<typeof snapshotHeaderSchema>;

export const snapshotMetaSchema = z.object({
  host: text(253),
  agentVersion: text(40),
  kernel: text(200),
  /** `cli` (ctscope snapshot) or `agent` (the dashboard's Snapshot button, from the running agent). */
  via: z.enum(['cli', 'agent']),
  /** The filter the flows were selected with, as given; null for the whole table. */
  filter: text(2_000).nullable(),
  /** What the file lacks and why (e.g. no stats history without a running agent). */
  notes: z.array(text(500)).max(20),
});
export type SnapshotMeta = z.infer<typeof snapshotMetaSchema>;

export const snapshotStatsSchema = z.object({
  /** The sample taken when the snapshot was made, when the kernel could be read. */
  current: statsSampleSchema.nullable(),
  /** Up to the last hour of samples, oldest first. */
  history: z.array(historyPointSchema).max(MAX_HISTORY_POINTS),
});

/** Composition summaries are another component's; here they are opaque objects, bounded in count. */
export const snapshotCompositionSchema = z.array(z.record(z.string().max(100), z.unknown())).max(10_000);

export const snapshotRulesetLineSchema = z.object({ source: text(40), line: text(4_000) });
export const MAX_SNAPSHOT_RULESET_LINES = 10_000;

export const snapshotKmsgLineSchema = z.object({
  seq: z.number().int().nonnegative(),
  /** Microseconds since boot, as the kernel stamps the record. */
  usec: z.number().int().nonnegative(),
  message: text(1_000),
});
export const MAX_SNAPSHOT_KMSG_LINES = 1_000;

/** Each section line: `{"section":NAME,"data":...}`. */
export const snapshotSectionSchemas = {
  meta: snapshotMetaSchema,
  sysctls: z.array(sysctlParamSchema).max(500),
  stats: snapshotStatsSchema,
  composition: snapshotCompositionSchema,
  rules: ruleListSchema.nullable(),
  ruleset_lines: z.array(snapshotRulesetLineSchema).max(MAX_SNAPSHOT_RULESET_LINES),
  kmsg: z.array(snapshotKmsgLineSchema).max(MAX_SNAPSHOT_KMSG_LINES),
  alerts: z.array(alertSchema).max(64),
} as const satisfies Record<SnapshotSectionName, z.ZodType>;

export type SnapshotSections = { [K in SnapshotSectionName]: z.infer<(typeof snapshotSectionSchemas)[K]> };

/** A flow line: the wire flow without `key` (derived from id and tuple), timeouts as of `createdAt`. */
export const snapshotFlowSchema = wireFlowSchema.omit({ key: true });
export type SnapshotFlow = z.infer<typeof snapshotFlowSchema>;

/** The last line: its count must equal the flow lines read, so a cut file is refused. */
export const snapshotEndSchema = z.object({ end: z.literal(true), flows: z.number().int().nonnegative() });

/** A snapshot stored on the dashboard (an upload), as its list and pages show it. */
export const storedSnapshotSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{12}$/),
  name: text(200),
  uploadedBy: text(100),
  uploadedAt: ms,
  bytes: z.number().int().nonnegative(),
  createdAt: ms,
  flows: z.number().int().nonnegative(),
  host: text(253),
  agentVersion: text(40),
  via: z.enum(['cli', 'agent']),
  filter: text(2_000).nullable(),
});
export type StoredSnapshot = z.infer<typeof storedSnapshotSchema>;

/** GET /api/snapshots/:id: what the snapshot's host page shows besides the table. */
export const snapshotDetailSchema = z.object({
  snapshot: storedSnapshotSchema,
  sections: z.object(snapshotSectionSchemas),
});
export type SnapshotDetail = z.infer<typeof snapshotDetailSchema>;
