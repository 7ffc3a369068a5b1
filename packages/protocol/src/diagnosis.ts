import { z } from 'zod';
import { querySchema, wireFlowSchema } from './flows';
import { ruleSpecInputSchema } from './rules';

/** The conditions the agent recognises; each is exported as `ctscope_diagnosis_active{name}`. */
export const DIAGNOSIS_NAMES = [
  'udp-black-hole',
  'insert-failed-race',
  'invalid-drops',
  'table-filled-by-state',
  'settings-set-back',
] as const;
export type DiagnosisName = (typeof DIAGNOSIS_NAMES)[number];

export const DIAGNOSIS_SEVERITIES = ['info', 'warning', 'critical'] as const;

const text = (max: number) => z.string().max(max);
const count = z.number().int().nonnegative();

/** One number or fact behind a diagnosis, as the page shows it ("insert_failed/s on CPU 1": "42"). */
export const diagnosisFactSchema = z.object({ label: text(200), value: text(300) });

/**
 * A fix the operator can preview and apply through the dashboard's existing, audited flows:
 * - `delete`: delete-matching with a dry run first (`query` in the filter language selects exactly the
 *   entries meant);
 * - `sysctl`: a tuning change (`changes`: sysctl name → value), previewed with its what-if count;
 * - `rule`: a rule built by the rules helper (`spec`: its input), optionally applied for a limited time
 *   (`expiresInSeconds`: applied with that confirmation deadline and never confirmed, so it goes again);
 * - `advice`: no action, only what to change elsewhere (resolver options, kube-proxy flags).
 */
export const diagnosisFixSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('delete'), label: text(200), tradeoff: text(1_000).optional(), query: querySchema, count }),
  z.object({
    kind: z.literal('sysctl'),
    label: text(200),
    tradeoff: text(1_000).optional(),
    changes: z.record(text(120), z.number()).refine((c) => Object.keys(c).length > 0 && Object.keys(c).length <= 16, 'changes: 1 to 16 settings'),
  }),
  z.object({
    kind: z.literal('rule'),
    label: text(200),
    tradeoff: text(1_000).optional(),
    spec: ruleSpecInputSchema,
    expiresInSeconds: z.number().int().min(5).max(3_600).optional(),
  }),
  z.object({ kind: z.literal('advice'), label: text(200), tradeoff: text(1_000).optional(), text: text(2_000) }),
]);
export type DiagnosisFix = z.infer<typeof diagnosisFixSchema>;

export const diagnosisSchema = z.object({
  name: z.enum(DIAGNOSIS_NAMES),
  /** Stable while the condition lasts (name plus what it concerns, e.g. the destination). */
  id: text(200),
  title: text(200),
  severity: z.enum(DIAGNOSIS_SEVERITIES),
  /** Agent clock, ms: when the condition was first seen. */
  since: count,
  /** What it means, in about two sentences. */
  meaning: text(1_000),
  evidence: z.object({
    facts: z.array(diagnosisFactSchema).max(20),
    /** Filter (connections page syntax) that shows the entries concerned; null when none apply. */
    query: querySchema.nullable(),
    /** A few of the entries concerned. */
    examples: z.array(wireFlowSchema).max(5),
  }),
  fixes: z.array(diagnosisFixSchema).max(6),
});
export type Diagnosis = z.infer<typeof diagnosisSchema>;

/** What the agent sends when its diagnoses change, and at least every 30 s. */
export const diagnosisReportSchema = z.object({
  /** Agent clock, ms. */
  at: count,
  active: z.array(diagnosisSchema).max(50),
});
export type DiagnosisReport = z.infer<typeof diagnosisReportSchema>;
