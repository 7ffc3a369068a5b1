'use client';

import {
  ruleApplyResultSchema,
  ruleDetectionSchema,
  ruleListSchema,
  rulePreviewSchema,
  ruleRemoveResultSchema,
  type Ack,
  type BrowserToServerEvents,
  type RuleApplyResult,
  type RuleDetection,
  type RuleList,
  type RulePreview,
} from '@ctscope/protocol';
import { ask, type BrowserSocket } from '../live/browser-socket';

/**
 * The payload of a request that names only the host. The protocol types it as `Record<string, never> & { hostId }`,
 * which no object literal satisfies; this is that payload.
 */
const hostOnly = (hostId: string) => ({ hostId }) as Parameters<BrowserToServerEvents['rules:list']>[0];

export type RuleSpecDraft = Record<string, unknown>;

/** The rules requests of the rules page, each answer parsed with its schema. */
export const ruleRequests = (socket: BrowserSocket, hostId: string) => ({
  detect: (): Promise<Ack<RuleDetection>> => ask(ruleDetectionSchema, (reply) => socket.emit('rules:detect', hostOnly(hostId), reply)),
  preview: (spec: RuleSpecDraft): Promise<Ack<RulePreview>> => ask(rulePreviewSchema, (reply) => socket.emit('rules:preview', { hostId, spec }, reply), 30_000),
  /** `confirmWithinMs`: the host removes the rule by itself unless it is confirmed in time (null: no deadline). */
  apply: (spec: RuleSpecDraft, withCompanions: boolean, confirmWithinMs: number | null = null): Promise<Ack<RuleApplyResult>> =>
    ask(ruleApplyResultSchema, (reply) => socket.emit('rules:apply', { hostId, spec, withCompanions, ...(confirmWithinMs !== null ? { confirmWithinMs } : {}) }, reply), 30_000),
  list: (): Promise<Ack<RuleList>> => ask(ruleListSchema, (reply) => socket.emit('rules:list', hostOnly(hostId), reply)),
  remove: (id: string): Promise<Ack<{ removed: number }>> => ask(ruleRemoveResultSchema, (reply) => socket.emit('rules:remove', { hostId, id }, reply), 30_000),
  removeAll: (): Promise<Ack<{ removed: number }>> => ask(ruleRemoveResultSchema, (reply) => socket.emit('rules:remove', { hostId, all: true }, reply), 30_000),
});

export type RuleRequests = ReturnType<typeof ruleRequests>;
