import { z } from 'zod';

/** Longest query text a client may send (the query syntax or pasted `conntrack` arguments). */
export const MAX_QUERY_LENGTH = 2_000;
/** Most rows one window may hold. */
export const MAX_WINDOW_ROWS = 500;

const port = z.number().int().min(0).max(65_535);
const u32 = z.number().int().min(0).max(0xffff_ffff);
const count = z.number().int().nonnegative();

export const wireTupleSchema = z.object({
  src: z.string().max(64),
  dst: z.string().max(64),
  sport: port.optional(),
  dport: port.optional(),
  icmpType: z.number().int().min(0).max(255).optional(),
  icmpCode: z.number().int().min(0).max(255).optional(),
  icmpId: port.optional(),
  zone: z.number().int().min(0).max(65_535).optional(),
});
export type WireTuple = z.infer<typeof wireTupleSchema>;

const natSideSchema = z.object({ from: z.string().max(64), to: z.string().max(64), fromPort: port.optional(), toPort: port.optional() });

/**
 * One conntrack entry as it crosses the wire: JSON-safe (counters as numbers, timestamps in ms), with
 * `key` naming the entry for its whole life (kernel id + original tuple + zone).
 */
export const wireFlowSchema = z.object({
  key: z.string().max(300),
  family: z.enum(['ipv4', 'ipv6']),
  proto: z.string().max(16),
  protoNum: z.number().int().min(0).max(255),
  orig: wireTupleSchema,
  reply: wireTupleSchema,
  status: z.array(z.string().max(16)).max(16),
  state: z.string().max(16).optional(),
  timeout: u32.optional(),
  mark: u32.optional(),
  use: u32.optional(),
  id: u32.optional(),
  zone: z.number().int().min(0).max(65_535).optional(),
  secctx: z.string().max(256).optional(),
  helper: z.string().max(64).optional(),
  labels: z.array(z.number().int().min(0).max(127)).max(128).optional(),
  packetsOrig: count.optional(),
  bytesOrig: count.optional(),
  packetsReply: count.optional(),
  bytesReply: count.optional(),
  startMs: count.optional(),
  stopMs: count.optional(),
  nat: z.object({ src: natSideSchema.optional(), dst: natSideSchema.optional() }).optional(),
});
export type WireFlow = z.infer<typeof wireFlowSchema>;

export const SORT_COLUMNS = [
  'proto',
  'src',
  'dst',
  'sport',
  'dport',
  'replySrc',
  'replyDst',
  'state',
  'status',
  'timeout',
  'packets',
  'bytes',
  'mark',
  'zone',
  'id',
  'age',
] as const;
export type SortColumn = (typeof SORT_COLUMNS)[number];

export const querySchema = z.string().max(MAX_QUERY_LENGTH, `query: at most ${MAX_QUERY_LENGTH} characters`);

/** What a table window shows: a filter in the query syntax, a sort and a slice. */
export const windowSpecSchema = z.object({
  query: querySchema,
  sort: z.object({ column: z.enum(SORT_COLUMNS), desc: z.boolean() }),
  offset: z.number().int().min(0).max(10_000_000),
  limit: z.number().int().min(1).max(MAX_WINDOW_ROWS),
});
export type WindowSpec = z.infer<typeof windowSpecSchema>;

export const windowResultSchema = z.object({
  /** Entries matching the filter. */
  total: count,
  /** Entries in the mirror. */
  size: count,
  offset: count,
  rows: z.array(wireFlowSchema).max(MAX_WINDOW_ROWS),
  /** Agent clock when the window was computed (ms). */
  at: count,
  /** Time the agent spent computing it. */
  tookMs: z.number().nonnegative(),
});
export type WindowResult = z.infer<typeof windowResultSchema>;

const keyCount = z.object({ key: z.string().max(200), count });
export type KeyCount = z.infer<typeof keyCount>;

export const aggregateRequestSchema = z.object({ query: querySchema, top: z.number().int().min(1).max(100) });
export type AggregateRequest = z.infer<typeof aggregateRequestSchema>;

export const aggregatesSchema = z.object({
  total: count,
  size: count,
  byProtocol: z.array(keyCount).max(300),
  byState: z.array(keyCount).max(64),
  assured: count,
  unreplied: count,
  topSources: z.array(keyCount).max(100),
  topDestinations: z.array(keyCount).max(100),
  /** Keys like `tcp/443`. */
  topDestinationPorts: z.array(keyCount).max(100),
  /** Keys like `10.0.0.1 → 10.0.0.2`. */
  topPairs: z.array(keyCount).max(100),
  /** Idle time of ESTABLISHED TCP entries: configured timeout minus time remaining. */
  idle: z.object({
    timeoutSeconds: count,
    buckets: z.array(z.object({ upToSeconds: count.nullable(), count })).max(32),
  }),
  at: count,
  tookMs: z.number().nonnegative(),
});
export type Aggregates = z.infer<typeof aggregatesSchema>;

export const EVENT_TYPES = ['NEW', 'UPDATE', 'DESTROY'] as const;
export type WireEventType = (typeof EVENT_TYPES)[number];

export const eventStreamSpecSchema = z.object({
  query: querySchema,
  types: z.array(z.enum(EVENT_TYPES)).min(1).max(3),
});
export type EventStreamSpec = z.infer<typeof eventStreamSpecSchema>;

export const wireEventSchema = z.object({ type: z.enum(EVENT_TYPES), at: count, flow: wireFlowSchema });
export type WireEvent = z.infer<typeof wireEventSchema>;

/** Most events one batch carries; beyond it events are counted in `dropped`, never queued. */
export const MAX_EVENTS_PER_BATCH = 500;

export const eventBatchSchema = z.object({
  events: z.array(wireEventSchema).max(MAX_EVENTS_PER_BATCH),
  /** Matching events left out of this batch because the subscriber's cap was reached. */
  dropped: count,
  at: count,
});
export type EventBatch = z.infer<typeof eventBatchSchema>;

/** Names one entry for a precise delete: the key the agent gave it. */
export const flowRefSchema = z.object({ key: z.string().min(1).max(300) });

export const deleteFlowsRequestSchema = z.object({ keys: z.array(z.string().min(1).max(300)).min(1).max(1_000) });
export type DeleteFlowsRequest = z.infer<typeof deleteFlowsRequestSchema>;

/**
 * Delete everything matching a query, in two steps: a dry run counts the matching entries and returns a
 * `planId`; the real run names that plan and deletes exactly the entries the dry run counted (those
 * still alive), never ones that appeared since.
 */
export const deleteMatchingRequestSchema = z.union([
  z.object({ query: querySchema, dryRun: z.literal(true) }),
  z.object({ planId: z.string().min(1).max(64), dryRun: z.literal(false) }),
]);
export type DeleteMatchingRequest = z.infer<typeof deleteMatchingRequestSchema>;

/** Flush only with the count the operator confirmed. */
export const flushRequestSchema = z.object({ confirmCount: count });
export type FlushRequest = z.infer<typeof flushRequestSchema>;

export const deleteResultSchema = z.object({
  matched: count,
  deleted: count,
  dryRun: z.boolean(),
  /** Set by a dry run of a delete-matching: pass it back to delete exactly these entries. */
  planId: z.string().max(64).optional(),
  /** A few of the matched entries, so a dry run can show what it would delete. */
  sample: z.array(wireFlowSchema).max(20),
});
export type DeleteResult = z.infer<typeof deleteResultSchema>;
