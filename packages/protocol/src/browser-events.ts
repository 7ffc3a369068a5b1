import { z } from 'zod';
import type { AckCallback } from './ack';
import { hostIdSchema, hostSummarySchema, type HostSummary } from './host';
import { eventPushSchema, subscriptionIdSchema, windowPushSchema, type EventPush, type WindowPush } from './agent-events';
import {
  aggregateRequestSchema,
  deleteFlowsRequestSchema,
  deleteMatchingRequestSchema,
  eventStreamSpecSchema,
  flushRequestSchema,
  windowSpecSchema,
  type AggregateRequest,
  type Aggregates,
  type DeleteFlowsRequest,
  type DeleteMatchingRequest,
  type DeleteResult,
  type EventStreamSpec,
  type FlushRequest,
  type WindowResult,
  type WindowSpec,
} from './flows';
import {
  ruleApplyRequestSchema,
  ruleRemoveRequestSchema,
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
  sysctlChangesSchema,
  sysctlPersistRequestSchema,
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
import { fleetHistoryRequestSchema, type FleetHistory, type FleetRange } from './fleet';
import { compositionAtRequestSchema, compositionGrowthRequestSchema, type Composition, type CompositionGrowth } from './composition';
import { changeRefSchema, type ChangeOutcomeResult, type ChangeRef } from './confirm';
import { historyRequestSchema, statsSampleSchema, type HistoryPoint, type StatsSample } from './stats';
import { diagnosisCountsSchema, diagnosisWatchRequestSchema, hostDiagnosesSchema, type DiagnosisCount, type DiagnosisCounts, type HostDiagnoses } from './diagnosis-events';

/** Socket.IO namespace browsers connect to (session cookie required). */
export const BROWSER_NAMESPACE = '/browsers';

export const browserHandshakeSchema = z.object({ protocolVersion: z.number().int() });

export const hostStatsSchema = z.object({ hostId: hostIdSchema, sample: statsSampleSchema });
export type HostStats = { hostId: string; sample: StatsSample };
/** Hosts sampled since the last batch, the newest sample of each: sent at most every SAMPLE_BATCH_MS. */
export const MAX_SAMPLES_PER_BATCH = 10_000;
export const SAMPLE_BATCH_MS = 50;
export const hostSamplesSchema = z.object({ samples: z.array(hostStatsSchema).max(MAX_SAMPLES_PER_BATCH) });
export type HostSamples = { samples: HostStats[] };

/** Events the dashboard pushes to browsers. */
export interface ServerToBrowserEvents {
  /** A host came online, went offline or changed its description. */
  'host:changed': (host: HostSummary) => void;
  /** New stats samples: the newest of each host sampled since the previous batch. */
  'hosts:sampled': (batch: HostSamples) => void;
  'window:pushed': (push: WindowPush) => void;
  'events:batched': (push: EventPush) => void;
  /** The watched host's diagnoses changed (report null: none known, e.g. the host went offline). */
  'diagnoses:reported': (diagnoses: HostDiagnoses) => void;
  /** Hosts whose diagnosis count, worst severity or kinds changed since the previous batch. */
  'diagnoses:counted': (batch: DiagnosisCounts) => void;
}

type OnHost<T> = T & { hostId: string };

/** Requests a browser sends. */
export interface BrowserToServerEvents {
  'hosts:list': (payload: Record<string, never>, ack: AckCallback<HostSummary[]>) => void;
  /** Opens a live window on a host's table; the first content comes with the ack. */
  'window:subscribe': (payload: OnHost<{ spec: WindowSpec }>, ack: AckCallback<{ subId: string; result: WindowResult }>) => void;
  /** Changes what an open window shows (filter, sort, scroll position). */
  'window:change': (payload: { subId: string; spec: WindowSpec }, ack: AckCallback<WindowResult>) => void;
  'window:unsubscribe': (payload: { subId: string }) => void;
  'events:subscribe': (payload: OnHost<{ spec: EventStreamSpec }>, ack: AckCallback<{ subId: string }>) => void;
  'events:unsubscribe': (payload: { subId: string }) => void;
  'flows:aggregate': (payload: OnHost<AggregateRequest>, ack: AckCallback<Aggregates>) => void;
  /** The agent's last hour at 1 s resolution. */
  'stats:history': (payload: OnHost<{ since: number }>, ack: AckCallback<HistoryPoint[]>) => void;
  /** Longer history kept by the dashboard at reduced resolution (survives restarts and offline agents). */
  'host:history': (payload: OnHost<{ since: number }>, ack: AckCallback<HistoryPoint[]>) => void;
  /** Every host's stored history summed over time buckets (the overview's fleet charts). */
  'fleet:history': (payload: { range: FleetRange }, ack: AckCallback<FleetHistory>) => void;
  /** The stored composition summary at (or just before) a moment; null when none is stored near it. */
  'composition:at': (payload: OnHost<{ at: number }>, ack: AckCallback<Composition | null>) => void;
  /** Keys ranked by the entries they added between two moments, with their counts over the interval. */
  'composition:growth': (payload: OnHost<{ from: number; to: number; limit?: number }>, ack: AckCallback<CompositionGrowth>) => void;
  'flows:delete': (payload: OnHost<DeleteFlowsRequest>, ack: AckCallback<DeleteResult>) => void;
  'flows:deleteMatching': (payload: OnHost<DeleteMatchingRequest>, ack: AckCallback<DeleteResult>) => void;
  'flows:flush': (payload: OnHost<FlushRequest>, ack: AckCallback<DeleteResult>) => void;
  'rules:detect': (payload: { hostId: string }, ack: AckCallback<RuleDetection>) => void;
  'rules:preview': (payload: OnHost<{ spec: Record<string, unknown> }>, ack: AckCallback<RulePreview>) => void;
  'rules:list': (payload: { hostId: string }, ack: AckCallback<RuleList>) => void;
  'rules:apply': (payload: OnHost<RuleApplyRequest>, ack: AckCallback<RuleApplyResult>) => void;
  'rules:remove': (payload: OnHost<RuleRemoveRequest>, ack: AckCallback<{ removed: number }>) => void;
  'sysctl:get': (payload: { hostId: string }, ack: AckCallback<SysctlStateWire>) => void;
  'sysctl:preview': (payload: OnHost<SysctlChanges>, ack: AckCallback<SysctlPreview>) => void;
  'sysctl:apply': (payload: OnHost<SysctlApplyRequest>, ack: AckCallback<SysctlApplyResult>) => void;
  'sysctl:rollback': (payload: OnHost<SysctlRollbackRequest>, ack: AckCallback<SysctlApplyResult>) => void;
  'sysctl:persistPreview': (payload: OnHost<SysctlPersistRequest>, ack: AckCallback<SysctlPersistPreview>) => void;
  'sysctl:persist': (payload: OnHost<SysctlPersistRequest>, ack: AckCallback<{ written: string[] }>) => void;
  'sysctl:history': (payload: OnHost<{ limit: number }>, ack: AckCallback<SysctlHistoryEntry[]>) => void;
  /** Keeps a change applied with a confirmation deadline; refused after the deadline. */
  'changes:confirm': (payload: OnHost<ChangeRef>, ack: AckCallback<ChangeOutcomeResult>) => void;
  /** Undoes such a change now. */
  'changes:revert': (payload: OnHost<ChangeRef>, ack: AckCallback<ChangeOutcomeResult>) => void;
  /** Follows one host's diagnoses (replacing the host this socket followed): answers the latest, then `diagnoses:reported`. */
  'diagnoses:watch': (payload: { hostId: string }, ack: AckCallback<HostDiagnoses>) => void;
  /** Every host's diagnosis count; changes follow as `diagnoses:counted`. */
  'diagnoses:counts': (payload: Record<string, never>, ack: AckCallback<DiagnosisCount[]>) => void;
}

const onHost = { hostId: hostIdSchema };

export const emptyPayloadSchema = z.object({}).strict();

/** Schemas for every browser→dashboard payload, parsed on arrival. */
export const browserToServerSchemas = {
  'hosts:list': emptyPayloadSchema,
  'window:subscribe': z.object({ ...onHost, spec: windowSpecSchema }),
  'window:change': z.object({ subId: subscriptionIdSchema, spec: windowSpecSchema }),
  'window:unsubscribe': z.object({ subId: subscriptionIdSchema }),
  'events:subscribe': z.object({ ...onHost, spec: eventStreamSpecSchema }),
  'events:unsubscribe': z.object({ subId: subscriptionIdSchema }),
  'flows:aggregate': aggregateRequestSchema.extend(onHost),
  'stats:history': historyRequestSchema.extend(onHost),
  'host:history': historyRequestSchema.extend(onHost),
  'fleet:history': fleetHistoryRequestSchema,
  'composition:at': compositionAtRequestSchema,
  'composition:growth': compositionGrowthRequestSchema,
  'flows:delete': deleteFlowsRequestSchema.extend(onHost),
  'flows:deleteMatching': z.intersection(deleteMatchingRequestSchema, z.object(onHost)),
  'flows:flush': flushRequestSchema.extend(onHost),
  'rules:detect': z.object(onHost),
  'rules:preview': z.object({ ...onHost, spec: ruleSpecInputSchema }),
  'rules:list': z.object(onHost),
  'rules:apply': ruleApplyRequestSchema.extend(onHost),
  'rules:remove': z.intersection(ruleRemoveRequestSchema, z.object(onHost)),
  'sysctl:get': z.object(onHost),
  'sysctl:preview': sysctlChangesSchema.extend(onHost),
  'sysctl:apply': sysctlApplyRequestSchema.extend(onHost),
  'sysctl:rollback': sysctlRollbackRequestSchema.extend(onHost),
  'sysctl:persistPreview': sysctlPersistRequestSchema.extend(onHost),
  'sysctl:persist': sysctlPersistRequestSchema.extend(onHost),
  'sysctl:history': z.object({ ...onHost, limit: z.number().int().min(1).max(500) }),
  'changes:confirm': changeRefSchema.extend(onHost),
  'changes:revert': changeRefSchema.extend(onHost),
  'diagnoses:watch': diagnosisWatchRequestSchema,
  'diagnoses:counts': emptyPayloadSchema,
} as const;

/** Schemas for dashboard→browser payloads, parsed by the browser on arrival. */
export const serverToBrowserSchemas = {
  'host:changed': hostSummarySchema,
  'hosts:sampled': hostSamplesSchema,
  'window:pushed': windowPushSchema,
  'events:batched': eventPushSchema,
  'diagnoses:reported': hostDiagnosesSchema,
  'diagnoses:counted': diagnosisCountsSchema,
} as const;

export const hostListSchema = z.array(hostSummarySchema);
