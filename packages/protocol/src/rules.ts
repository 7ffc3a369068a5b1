import { z } from 'zod';
import { confirmWithinMsSchema } from './sysctl';
import { wireFlowSchema } from './flows';

/**
 * A rule spec as typed in a form. Its shape is checked by the rules package's own schema on the
 * dashboard and again on the agent; here it is only bounded in size.
 */
export const ruleSpecInputSchema = z.record(z.string().max(40), z.unknown()).refine((spec) => JSON.stringify(spec).length <= 4_000, 'rule spec: too large');

export const ruleDetectionSchema = z.object({
  backend: z.enum(['nft', 'iptables-nft', 'iptables-legacy']),
  syntax: z.enum(['nft', 'iptables']),
  reason: z.string().max(1_000),
  notrackTarget: z.string().max(40),
  notrackReason: z.string().max(1_000),
});
export type RuleDetection = z.infer<typeof ruleDetectionSchema>;

const renderingSchema = z.object({
  summary: z.string().max(500),
  nftCommands: z.array(z.string().max(2_000)).max(64),
  iptablesCommands: z.array(z.string().max(2_000)).max(64),
  /** What the agent would load: `nft -f -` input, or iptables-restore input per family. */
  fragment: z.string().max(20_000),
});

export const ruleWarningSchema = z.object({ code: z.string().max(60), severity: z.enum(['info', 'warning', 'danger']), message: z.string().max(1_000) });

export const rulePreviewSchema = renderingSchema.extend({
  id: z.string().max(40),
  syntax: z.enum(['nft', 'iptables']),
  notes: z.array(z.string().max(1_000)).max(20),
  companions: z.array(renderingSchema).max(8),
  /** For NOTRACK rules: what the rule would change in the current table. */
  impact: z
    .object({
      matchedCount: z.number().int().nonnegative(),
      matchedByFamily: z.object({ ipv4: z.number().int().nonnegative(), ipv6: z.number().int().nonnegative() }),
      otherFamilyCount: z.number().int().nonnegative(),
      stopsTracking: z.boolean(),
      sample: z.array(wireFlowSchema).max(20),
    })
    .nullable(),
  warnings: z.array(ruleWarningSchema).max(40),
});
export type RulePreview = z.infer<typeof rulePreviewSchema>;

export const ownedRuleSchema = z.object({
  table: z.string().max(64),
  chain: z.string().max(64),
  family: z.enum(['inet', 'ipv4', 'ipv6']),
  handle: z.string().max(120),
  text: z.string().max(2_000),
  packets: z.number().nonnegative(),
  bytes: z.number().nonnegative(),
});
export const ruleGroupSchema = z.object({
  id: z.string().max(40),
  packets: z.number().nonnegative(),
  bytes: z.number().nonnegative(),
  rules: z.array(ownedRuleSchema).max(64),
});
export type RuleGroup = z.infer<typeof ruleGroupSchema>;
export const ruleListSchema = z.object({ backend: z.string().max(40), groups: z.array(ruleGroupSchema).max(1_000) });
export type RuleList = z.infer<typeof ruleListSchema>;

/** `confirmWithinMs`: commit confirmed, as for sysctl changes (the agent removes the rule unless confirmed in time). */
export const ruleApplyRequestSchema = z.object({ spec: ruleSpecInputSchema, withCompanions: z.boolean(), confirmWithinMs: confirmWithinMsSchema.optional() });
export type RuleApplyRequest = z.infer<typeof ruleApplyRequestSchema>;
export const ruleApplyResultSchema = z.object({
  id: z.string().max(40),
  changed: z.boolean(),
  rules: z.number().int().nonnegative(),
  companions: z.array(z.string().max(40)).max(8),
  /** The agent's audit id of the change (what `changes:confirm` names). */
  changeId: z.string().min(1).max(100).optional(),
  /** With `confirmWithinMs` and a rule that was not in place already: when the agent removes it unless confirmed. */
  confirmBy: z.number().int().nonnegative().optional(),
});
export type RuleApplyResult = z.infer<typeof ruleApplyResultSchema>;

export const ruleRemoveRequestSchema = z.union([z.object({ id: z.string().regex(/^[0-9a-f]{12}$/, 'rule id: 12 hex digits') }), z.object({ all: z.literal(true) })]);
export type RuleRemoveRequest = z.infer<typeof ruleRemoveRequestSchema>;
export const ruleRemoveResultSchema = z.object({ removed: z.number().int().nonnegative() });
