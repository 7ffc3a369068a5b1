import { z } from 'zod';
import { wireFlowSchema } from './flows';

const text = (max: number) => z.string().max(max);

/** Deadline of a change that undoes itself unless confirmed: 5 s to 1 h (the dashboard's default is 2 min). */
export const confirmWithinMsSchema = z.number().int().min(5_000, 'confirmation deadline: at least 5 s').max(3_600_000, 'confirmation deadline: at most 1 h');
const num = z.number();
const persistedSchema = z.object({ file: text(500), line: z.number().int(), raw: text(200), value: num.nullable() }).nullable();

/** One net.netfilter.nf_conntrack_* parameter (or the hashsize module parameter) as the agent reads it. */
export const sysctlParamSchema = z.object({
  name: text(120),
  key: text(80),
  known: z.boolean(),
  group: text(40),
  type: text(20),
  unit: text(20),
  description: text(2_000),
  scope: text(20),
  raw: text(200),
  value: num.nullable(),
  display: text(200),
  default: num.nullable(),
  defaultDisplay: text(200).nullable(),
  defaultRule: text(500).optional(),
  min: num.optional(),
  max: num.optional(),
  rangeNote: text(500).optional(),
  choices: z.array(z.object({ value: num, label: text(60) })).max(32).optional(),
  writable: z.boolean(),
  readOnlyReason: text(500).optional(),
  persisted: persistedSchema,
  ctscope: persistedSchema,
  overriddenBy: persistedSchema,
  drift: z.object({ runtimeVsPersisted: text(20), runtimeVsDefault: text(20), summary: text(500) }),
});
export type SysctlParam = z.infer<typeof sysctlParamSchema>;

export const sysctlRecommendationSchema = z.object({
  id: text(60),
  severity: z.enum(['info', 'suggest', 'warn']),
  title: text(300),
  reason: text(2_000),
  tradeoff: text(2_000).optional(),
  proposed: z.array(z.object({ name: text(120), value: num })).max(32),
});
export type SysctlRecommendation = z.infer<typeof sysctlRecommendationSchema>;

export const sysctlProfileSchema = z.object({
  id: text(40),
  title: text(100),
  description: text(1_000),
  values: z
    .array(z.object({ name: text(120), value: num, reason: text(1_000), current: num.nullable(), changed: z.boolean(), writable: z.boolean(), readOnlyReason: text(1_000).optional() }))
    .max(64),
});
export type SysctlProfile = z.infer<typeof sysctlProfileSchema>;

export const sysctlStateSchema = z.object({
  params: z.array(sysctlParamSchema).max(256),
  persistedFiles: z.array(text(500)).max(200),
  /** File that loads nf_conntrack early at boot; null: persisted values would be lost at boot. */
  earlyModuleLoad: text(500).nullable(),
  moduleLoaded: z.boolean(),
  facts: z.object({ memTotalBytes: num, cpus: z.number().int(), inInitialNetns: z.boolean() }),
  maxAdvice: z.object({
    ours: z.object({ max: num, buckets: num, reason: text(1_000) }),
    kubeProxy: z.object({ max: num, buckets: num, formula: text(500) }),
    kernelDefault: z.object({ max: num, buckets: num }),
  }),
  recommendations: z.array(sysctlRecommendationSchema).max(64),
  profiles: z.array(sysctlProfileSchema).max(16),
});
export type SysctlStateWire = z.infer<typeof sysctlStateSchema>;

/** A change of one or more parameters: one transaction. Values: integers, durations (`1h`) or labels (`on`). */
export const sysctlChangesSchema = z.object({
  changes: z.array(z.object({ name: text(120), value: z.union([z.number(), text(40)]) })).min(1).max(64),
});
export type SysctlChanges = z.infer<typeof sysctlChangesSchema>;

export const sysctlPlannedSchema = z.object({ name: text(120), before: num, after: num, beforeDisplay: text(200), afterDisplay: text(200), unchanged: z.boolean(), scope: text(20) });

export const timeoutPreviewSchema = z.object({
  name: text(120),
  previewable: z.boolean(),
  reason: text(1_000).optional(),
  governed: z.number().int().nonnegative(),
  idleLonger: z.number().int().nonnegative(),
  percent: num,
  message: text(1_000),
  sample: z.array(wireFlowSchema).max(20),
});

export const sysctlPreviewSchema = z.object({
  items: z.array(sysctlPlannedSchema).max(64),
  timeouts: z.array(timeoutPreviewSchema).max(64),
  max: z
    .object({ usagePercent: num, headroom: num, memory: text(500), currentMemory: text(500), chainLength: num, warnings: z.array(text(1_000)).max(20), message: text(1_000) })
    .nullable(),
});
export type SysctlPreview = z.infer<typeof sysctlPreviewSchema>;

export const sysctlApplyRequestSchema = sysctlChangesSchema.extend({
  /** Also delete the entries the preview found idle longer than a lowered timeout, in the same audited change. */
  freeIdle: z.boolean(),
  /**
   * Commit confirmed: unless `changes:confirm` names this change within this many ms, the agent puts the
   * previous values back by itself (also while the dashboard is away and after its own restart).
   */
  confirmWithinMs: confirmWithinMsSchema.optional(),
});
export type SysctlApplyRequest = z.infer<typeof sysctlApplyRequestSchema>;

export const sysctlApplyResultSchema = z.object({
  applied: z.array(z.object({ name: text(120), before: num, after: num })).max(64),
  /** Idle entries deleted with the change. */
  freed: z.number().int().nonnegative(),
  /** The agent's audit id of the change: what `sysctl:rollback` names to undo exactly this change. */
  changeId: z.string().min(1).max(100),
  /** With `confirmWithinMs`: when the agent undoes it unless confirmed (agent clock, ms since the epoch). */
  confirmBy: z.number().int().nonnegative().optional(),
});
export type SysctlApplyResult = z.infer<typeof sysctlApplyResultSchema>;

/**
 * Undo one recorded change (by its changeId), as `ctscope sysctl rollback` does: back to the values
 * before it, refused when a value moved since unless forced; recorded as its rollback.
 */
export const sysctlRollbackRequestSchema = z.object({ changeId: z.string().min(1).max(100), force: z.boolean() });
export type SysctlRollbackRequest = z.infer<typeof sysctlRollbackRequestSchema>;

export const sysctlPersistRequestSchema = z.object({
  values: z.array(z.object({ name: text(120), value: z.union([z.number(), text(40), z.null()]) })).max(64),
  mode: z.enum(['merge', 'replace']),
});
export type SysctlPersistRequest = z.infer<typeof sysctlPersistRequestSchema>;

const filePlanSchema = z.object({ path: text(500), diff: text(50_000), changed: z.boolean() });
export const sysctlPersistPreviewSchema = z.object({ sysctl: filePlanSchema, modules: filePlanSchema, warnings: z.array(text(1_000)).max(40) });
export type SysctlPersistPreview = z.infer<typeof sysctlPersistPreviewSchema>;
export const sysctlPersistResultSchema = z.object({ written: z.array(text(500)).max(4) });

export const sysctlHistoryEntrySchema = z.object({
  /** The agent's audit id of the change. */
  id: text(100),
  time: text(40),
  user: text(100),
  via: text(20),
  action: text(100),
  result: text(20),
  changes: z.array(z.object({ name: text(120), before: num.nullable(), after: num.nullable() })).max(64),
  error: text(1_000).optional(),
  /** Set when this change undid an earlier one: that change's id. */
  rollbackOf: text(100).optional(),
});
export const sysctlHistorySchema = z.array(sysctlHistoryEntrySchema).max(500);
export type SysctlHistoryEntry = z.infer<typeof sysctlHistoryEntrySchema>;
