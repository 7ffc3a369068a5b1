import { z } from 'zod';
import type { AckCallback } from './ack';
import { agentInfoSchema } from './host';
import {
  aggregateRequestSchema,
  deleteFlowsRequestSchema,
  deleteMatchingRequestSchema,
  eventBatchSchema,
  eventStreamSpecSchema,
  flushRequestSchema,
  windowResultSchema,
  windowSpecSchema,
  type Aggregates,
  type AggregateRequest,
  type DeleteFlowsRequest,
  type DeleteMatchingRequest,
  type DeleteResult,
  type EventBatch,
  type EventStreamSpec,
  type FlushRequest,
  type WindowResult,
  type WindowSpec,
} from './flows';
import { aggregatesSchema, deleteResultSchema } from './flows';
import {
  ruleApplyRequestSchema,
  ruleApplyResultSchema,
  ruleDetectionSchema,
  ruleListSchema,
  rulePreviewSchema,
  ruleRemoveRequestSchema,
  ruleRemoveResultSchema,
  ruleSpecInputSchema,
  type RuleApplyRequest,
  type RuleApplyResult,
  type RuleDetection,
  type RuleList,
  type RulePreview,
  type RuleRemoveRequest,
} from './rules';
import {
  sysctlApplyRequestSchema,
  sysctlRollbackRequestSchema,
  sysctlApplyResultSchema,
  sysctlChangesSchema,
  sysctlHistorySchema,
  sysctlPersistPreviewSchema,
  sysctlPersistRequestSchema,
  sysctlPersistResultSchema,
  sysctlPreviewSchema,
  sysctlStateSchema,
  type SysctlApplyRequest,
  type SysctlRollbackRequest,
  type SysctlApplyResult,
  type SysctlChanges,
  type SysctlHistoryEntry,
  type SysctlPersistPreview,
  type SysctlPersistRequest,
  type SysctlPreview,
  type SysctlStateWire,
} from './sysctl';
import { historyRequestSchema, historySchema, statsSampleSchema, type HistoryPoint, type StatsSample } from './stats';
import { roleSchema } from './http';
import { compositionSchema, type Composition } from './composition';
import { diagnosisReportSchema, type DiagnosisReport } from './diagnosis';
import { changeOutcomeResultSchema, changeRefSchema, type ChangeOutcomeResult, type ChangeRef } from './confirm';
import { snapshotChunkSchema, snapshotMadeSchema, snapshotMakeRequestSchema, type SnapshotChunk, type SnapshotMade, type SnapshotMakeRequest } from './snapshot-stream';

/** Socket.IO namespace agents connect to. */
export const AGENT_NAMESPACE = '/agents';

/** `auth` payload of an agent's handshake. The token identifies the host. */
export const agentHandshakeSchema = z.object({
  protocolVersion: z.number().int(),
  token: z.string().min(16).max(256),
  info: agentInfoSchema,
});
export type AgentHandshake = z.infer<typeof agentHandshakeSchema>;

export const agentWelcomeSchema = z.object({ hostId: z.string(), protocolVersion: z.number().int() });
export type AgentWelcome = z.infer<typeof agentWelcomeSchema>;

/** Names a subscription; chosen by the dashboard, opaque to the agent. */
export const subscriptionIdSchema = z.string().min(1).max(100);

/** Who asked for a change, as the dashboard authenticated them; recorded in the agent's audit log. */
export const actorSchema = z.object({ user: z.string().min(1).max(100), role: roleSchema });
export type Actor = z.infer<typeof actorSchema>;

export const windowPushSchema = z.object({ subId: subscriptionIdSchema, result: windowResultSchema });
export type WindowPush = z.infer<typeof windowPushSchema>;
export const eventPushSchema = z.object({ subId: subscriptionIdSchema, batch: eventBatchSchema });
export type EventPush = { subId: string; batch: EventBatch };

/** Most subscriptions one agent serves at once (all browsers together). */
export const MAX_AGENT_SUBSCRIPTIONS = 256;

/** Events an agent emits to the dashboard. */
export interface AgentToServerEvents {
  'stats:sampled': (sample: StatsSample) => void;
  /** A window's content changed (at most 4 times a second per window). */
  'window:pushed': (push: WindowPush) => void;
  /** A batch of events for one stream (at most every 100 ms). */
  'events:batched': (push: EventPush) => void;
  /** The table's composition, every 10 s (see Composition). */
  'composition:summarised': (composition: Composition) => void;
  /** One piece of a snapshot file `snapshot:make` asked for; the next waits for this one's ack. */
  'snapshot:chunk': (chunk: SnapshotChunk, ack: AckCallback<Record<string, never>>) => void;
  /** The agent's active diagnoses: when they change, and at least every 30 s. */
  'diagnoses:reported': (report: DiagnosisReport) => void;
}

/** Events the dashboard emits to an agent. */
export interface ServerToAgentEvents {
  welcomed: (welcome: AgentWelcome) => void;
  /** Liveness probe for request/response round trips (used by tests and the UI's host check). */
  'agent:ping': (payload: Record<string, never>, ack: AckCallback<{ at: number }>) => void;
  /** Opens or replaces a window subscription; answers with its first content. */
  'window:open': (payload: { subId: string; spec: WindowSpec }, ack: AckCallback<WindowResult>) => void;
  'window:close': (payload: { subId: string }) => void;
  'events:open': (payload: { subId: string; spec: EventStreamSpec }, ack: AckCallback<Record<string, never>>) => void;
  'events:close': (payload: { subId: string }) => void;
  'flows:aggregate': (payload: AggregateRequest, ack: AckCallback<Aggregates>) => void;
  'stats:history': (payload: { since: number }, ack: AckCallback<HistoryPoint[]>) => void;
  'flows:delete': (payload: DeleteFlowsRequest & { actor: Actor }, ack: AckCallback<DeleteResult>) => void;
  'flows:deleteMatching': (payload: DeleteMatchingRequest & { actor: Actor }, ack: AckCallback<DeleteResult>) => void;
  'flows:flush': (payload: FlushRequest & { actor: Actor }, ack: AckCallback<DeleteResult>) => void;
  'rules:detect': (payload: Record<string, never>, ack: AckCallback<RuleDetection>) => void;
  'rules:preview': (payload: { spec: Record<string, unknown> }, ack: AckCallback<RulePreview>) => void;
  'rules:list': (payload: Record<string, never>, ack: AckCallback<RuleList>) => void;
  'rules:apply': (payload: RuleApplyRequest & { actor: Actor }, ack: AckCallback<RuleApplyResult>) => void;
  'rules:remove': (payload: RuleRemoveRequest & { actor: Actor }, ack: AckCallback<{ removed: number }>) => void;
  'sysctl:get': (payload: Record<string, never>, ack: AckCallback<SysctlStateWire>) => void;
  'sysctl:preview': (payload: SysctlChanges, ack: AckCallback<SysctlPreview>) => void;
  'sysctl:apply': (payload: SysctlApplyRequest & { actor: Actor }, ack: AckCallback<SysctlApplyResult>) => void;
  'sysctl:rollback': (payload: SysctlRollbackRequest & { actor: Actor }, ack: AckCallback<SysctlApplyResult>) => void;
  'sysctl:persistPreview': (payload: SysctlPersistRequest, ack: AckCallback<SysctlPersistPreview>) => void;
  'sysctl:persist': (payload: SysctlPersistRequest & { actor: Actor }, ack: AckCallback<{ written: string[] }>) => void;
  'sysctl:history': (payload: { limit: number }, ack: AckCallback<SysctlHistoryEntry[]>) => void;
  /** Keeps a change applied with `confirmWithinMs` (refused after its deadline). */
  'changes:confirm': (payload: ChangeRef & { actor: Actor }, ack: AckCallback<ChangeOutcomeResult>) => void;
  /** Undoes a change applied with `confirmWithinMs` now, instead of at its deadline. */
  'changes:revert': (payload: ChangeRef & { actor: Actor }, ack: AckCallback<ChangeOutcomeResult>) => void;
  /** Makes a snapshot file of the host and sends it in `snapshot:chunk`s; answered when it is complete. */
  'snapshot:make': (payload: SnapshotMakeRequest & { actor: Actor }, ack: AckCallback<SnapshotMade>) => void;
}

const withActor = { actor: actorSchema };

/** Schemas of the data in the agent's successful answers, parsed by the dashboard on arrival. */
export const agentResultSchemas = {
  'agent:ping': z.object({ at: z.number() }),
  'window:open': windowResultSchema,
  'events:open': z.object({}),
  'flows:aggregate': aggregatesSchema,
  'stats:history': historySchema,
  'flows:delete': deleteResultSchema,
  'flows:deleteMatching': deleteResultSchema,
  'flows:flush': deleteResultSchema,
  'rules:detect': ruleDetectionSchema,
  'rules:preview': rulePreviewSchema,
  'rules:list': ruleListSchema,
  'rules:apply': ruleApplyResultSchema,
  'rules:remove': ruleRemoveResultSchema,
  'sysctl:get': sysctlStateSchema,
  'sysctl:preview': sysctlPreviewSchema,
  'sysctl:apply': sysctlApplyResultSchema,
  'sysctl:rollback': sysctlApplyResultSchema,
  'sysctl:persistPreview': sysctlPersistPreviewSchema,
  'sysctl:persist': sysctlPersistResultSchema,
  'sysctl:history': sysctlHistorySchema,
  'snapshot:make': snapshotMadeSchema,
  'changes:confirm': changeOutcomeResultSchema,
  'changes:revert': changeOutcomeResultSchema,
} as const;

/** Schemas for every dashboard→agent request, parsed by the agent on arrival. */
export const serverToAgentSchemas = {
  'window:open': z.object({ subId: subscriptionIdSchema, spec: windowSpecSchema }),
  'window:close': z.object({ subId: subscriptionIdSchema }),
  'events:open': z.object({ subId: subscriptionIdSchema, spec: eventStreamSpecSchema }),
  'events:close': z.object({ subId: subscriptionIdSchema }),
  'flows:aggregate': aggregateRequestSchema,
  'stats:history': historyRequestSchema,
  'flows:delete': deleteFlowsRequestSchema.extend(withActor),
  'flows:deleteMatching': z.intersection(deleteMatchingRequestSchema, z.object(withActor)),
  'flows:flush': flushRequestSchema.extend(withActor),
  'rules:detect': z.object({}).strict(),
  'rules:preview': z.object({ spec: ruleSpecInputSchema }),
  'rules:list': z.object({}).strict(),
  'rules:apply': ruleApplyRequestSchema.extend(withActor),
  'rules:remove': z.intersection(ruleRemoveRequestSchema, z.object(withActor)),
  'sysctl:get': z.object({}).strict(),
  'sysctl:preview': sysctlChangesSchema,
  'sysctl:apply': sysctlApplyRequestSchema.extend(withActor),
  'sysctl:rollback': sysctlRollbackRequestSchema.extend(withActor),
  'sysctl:persistPreview': sysctlPersistRequestSchema,
  'sysctl:persist': sysctlPersistRequestSchema.extend(withActor),
  'sysctl:history': z.object({ limit: z.number().int().min(1).max(500) }),
  'snapshot:make': snapshotMakeRequestSchema.extend(withActor),
  'changes:confirm': changeRefSchema.extend(withActor),
  'changes:revert': changeRefSchema.extend(withActor),
} as const;

/** Schemas for every agent→dashboard payload, parsed on arrival. */
export const agentToServerSchemas = {
  'stats:sampled': statsSampleSchema,
  'window:pushed': windowPushSchema,
  'events:batched': eventPushSchema,
  'composition:summarised': compositionSchema,
  'snapshot:chunk': snapshotChunkSchema,
  'diagnoses:reported': diagnosisReportSchema,
} as const;
