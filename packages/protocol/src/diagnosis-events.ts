import { z } from 'zod';
import { DIAGNOSIS_NAMES, DIAGNOSIS_SEVERITIES, diagnosisReportSchema, type DiagnosisName, type DiagnosisReport } from './diagnosis';
import { hostIdSchema } from './host';

/**
 * A host's latest diagnosis report as the dashboard relays it to the host page. Times (`at`, `since`) are
 * on the dashboard's clock (shifted by the agent's offset when the report arrived). `report` is null while
 * none is known: the host is offline (reports are forgotten then) or its agent has not reported yet.
 */
export const hostDiagnosesSchema = z.object({ hostId: hostIdSchema, report: diagnosisReportSchema.nullable() });
export type HostDiagnoses = { hostId: string; report: DiagnosisReport | null };

/** How many diagnoses a host has, its worst severity and the kinds: what the overview's badge shows. */
export const diagnosisCountSchema = z.object({
  hostId: hostIdSchema,
  count: z.number().int().nonnegative(),
  worst: z.enum(DIAGNOSIS_SEVERITIES).nullable(),
  names: z.array(z.enum(DIAGNOSIS_NAMES)).max(DIAGNOSIS_NAMES.length),
});
export type DiagnosisCount = { hostId: string; count: number; worst: DiagnosisSeverity | null; names: DiagnosisName[] };
export type DiagnosisSeverity = (typeof DIAGNOSIS_SEVERITIES)[number];

/** Hosts whose count changed since the last batch (the newest of each), sent at most every SAMPLE_BATCH_MS. */
export const MAX_COUNTS_PER_BATCH = 10_000;
export const diagnosisCountsSchema = z.object({ counts: z.array(diagnosisCountSchema).max(MAX_COUNTS_PER_BATCH) });
export type DiagnosisCounts = { counts: DiagnosisCount[] };

/** Every host's count, as `diagnoses:counts` answers. */
export const diagnosisCountListSchema = z.array(diagnosisCountSchema).max(100_000);

export const diagnosisWatchRequestSchema = z.object({ hostId: hostIdSchema });
