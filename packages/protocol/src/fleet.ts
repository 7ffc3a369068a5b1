import { z } from 'zod';
import { eventRatesSchema } from './stats';

/** Counters whose rates mean trouble, summed over the fleet. */
export const FLEET_TROUBLE_KEYS = ['insert_failed', 'drop', 'early_drop', 'invalid', 'search_restart'] as const;
export type FleetTroubleKey = (typeof FLEET_TROUBLE_KEYS)[number];

/** The fleet chart ranges and how many points each is summed into at most. */
export const FLEET_RANGES = {
  '5m': { ms: 5 * 60_000, points: 150 },
  '1h': { ms: 3_600_000, points: 240 },
  '24h': { ms: 86_400_000, points: 288 },
} as const;
export type FleetRange = keyof typeof FLEET_RANGES;
export const FLEET_RANGE_KEYS = Object.keys(FLEET_RANGES) as FleetRange[];

export const fleetHistoryRequestSchema = z.object({ range: z.enum(['5m', '1h', '24h']) });

const rate = z.number().nonnegative();
const count = z.number().int().nonnegative();

/** Every host's history summed into one time bucket (hosts that reported in or just before it). */
export const fleetPointSchema = z.object({
  /** Bucket end, ms since the epoch. */
  at: count,
  count,
  max: count,
  /** Hosts summed into this point. */
  hosts: count,
  eventRates: eventRatesSchema.optional(),
  rates: z.object(Object.fromEntries(FLEET_TROUBLE_KEYS.map((k) => [k, rate])) as Record<FleetTroubleKey, typeof rate>).optional(),
});
export type FleetPoint = z.infer<typeof fleetPointSchema>;

export const fleetHistorySchema = z.object({
  /** Width of one point, ms. */
  stepMs: count,
  points: z.array(fleetPointSchema).max(300),
});
export type FleetHistory = z.infer<typeof fleetHistorySchema>;
