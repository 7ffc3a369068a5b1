import { z } from 'zod';
import { hostIdSchema } from './host';
import { NETNS_SOURCES } from './netns';

/** Keys kept per ranked list of a composition summary. */
export const COMPOSITION_TOP = 50;
/** Summaries the agent keeps in memory (one hour at the default 10 s). */
export const COMPOSITION_RING = 360;

const count = z.number().int().nonnegative();
const keyCount = z.object({ key: z.string().min(1).max(200), count });

/**
 * The largest keys of one dimension, and `rest`: the count of the largest key left out (the 51st), 0
 * when `top` holds every key. A key absent from `top` had at most `rest` entries.
 */
export const rankedListSchema = z.object({ top: z.array(keyCount).max(COMPOSITION_TOP), rest: count });
export type RankedList = z.infer<typeof rankedListSchema>;

/** Entries of one network namespace (`netns`: its inode number, as text). */
export const netnsCountSchema = z.object({ netns: z.string().min(1).max(32), name: z.string().max(200), source: z.enum(NETNS_SOURCES), entries: count });
export type NetnsCount = z.infer<typeof netnsCountSchema>;

/** What the table held at one moment: counts by protocol, state and status, the top keys, the namespaces. */
export const compositionSchema = z.object({
  /** Agent clock, ms. */
  at: count,
  total: count,
  byProtocol: z.array(keyCount).max(256),
  /** Keys like `tcp ESTABLISHED`. */
  byState: z.array(keyCount).max(128),
  /** Entries with each status flag set (`ASSURED`, `SEEN_REPLY`, ...). */
  byStatus: z.array(keyCount).max(32),
  sources: rankedListSchema,
  destinations: rankedListSchema,
  /** Destination ports, keys like `udp/53`. */
  ports: rankedListSchema,
  /** Keys like `10.0.0.1 → 10.0.0.2`. */
  pairs: rankedListSchema,
  byNetns: z.array(netnsCountSchema).max(1_024),
  /** CPU time the agent spent on this summary. */
  tookMs: z.number().nonnegative(),
});
export type Composition = z.infer<typeof compositionSchema>;

export const GROWTH_DIMENSIONS = ['port', 'source', 'destination', 'pair', 'netns'] as const;
export type GrowthDimension = (typeof GROWTH_DIMENSIONS)[number];

/**
 * How many entries a key added between two summaries. Top lists are truncated, so a key missing from
 * one of them is only known to have had between 0 and that list's `rest`: `added` is then a lower
 * bound (exact false) and `upTo` the upper one.
 */
export const growthRowSchema = z.object({
  dimension: z.enum(GROWTH_DIMENSIONS),
  key: z.string().min(1).max(200),
  /** A namespace's name; the key itself for the other dimensions. */
  label: z.string().max(200),
  added: z.number().int(),
  upTo: z.number().int(),
  exact: z.boolean(),
  /** Count at each of the answer's `points` (null: below that summary's cut-off, not known). */
  series: z.array(count.nullable()).max(200),
});
export type GrowthRow = z.infer<typeof growthRowSchema>;

export const compositionAtRequestSchema = z.object({ hostId: hostIdSchema, at: count });
export const compositionGrowthRequestSchema = z
  .object({ hostId: hostIdSchema, from: count, to: count, limit: z.number().int().min(1).max(100).default(20) })
  .refine((r) => r.from < r.to, { message: 'from must be before to' });

export const compositionGrowthSchema = z.object({
  from: compositionSchema.nullable(),
  to: compositionSchema.nullable(),
  /** Times of the summaries the series are sampled at, oldest first. */
  points: z.array(count).max(200),
  rows: z.array(growthRowSchema).max(100),
});
export type CompositionGrowth = z.infer<typeof compositionGrowthSchema>;
