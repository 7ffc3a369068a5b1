import { z } from 'zod';

const percent = z.number().min(0).max(100);
const band = z
  .object({ raise: percent, clear: percent })
  .refine((b) => b.clear <= b.raise, { message: 'clear must not be above raise (hysteresis)' });

/**
 * When alerts fire and clear. Defaults are netdata's `netfilter_conntrack_full`: warning above 90 %
 * (clears below 85 %), critical above 95 % (clears below 90 %).
 */
export const alertThresholdsSchema = z
  .object({
    /** Table usage %: raise above `raise`, clear below `clear`. */
    usageWarning: band.default({ raise: 90, clear: 85 }),
    usageCritical: band.default({ raise: 95, clear: 90 }),
    /** Seconds without a new increase before a "rising" alert (insert_failed, drop, early_drop, table-full lines, lost events) clears. */
    quietSeconds: z.number().min(0).max(86_400).default(60),
  })
  .refine((t) => t.usageWarning.raise <= t.usageCritical.raise, { message: 'the warning level must not be above the critical level' });

export type AlertThresholds = z.output<typeof alertThresholdsSchema>;

export const DEFAULT_THRESHOLDS: AlertThresholds = alertThresholdsSchema.parse({});

/** Validates thresholds from configuration, filling in the defaults; throws a ZodError naming the bad field. */
export function parseAlertThresholds(input: unknown): AlertThresholds {
  return alertThresholdsSchema.parse(input ?? {});
}
