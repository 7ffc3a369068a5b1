'use client';

import {
  sysctlApplyResultSchema,
  sysctlHistorySchema,
  sysctlPersistPreviewSchema,
  sysctlPersistResultSchema,
  sysctlPreviewSchema,
  sysctlStateSchema,
  type Ack,
  type SysctlApplyResult,
  type SysctlHistoryEntry,
  type SysctlPersistPreview,
  type SysctlPersistRequest,
  type SysctlPreview,
  type SysctlStateWire,
  type BrowserToServerEvents,
} from '@ctscope/protocol';
import { ask, type BrowserSocket } from '../live/browser-socket';

/**
 * The payload of a request that names only the host. The protocol types it as `Record<string, never> & { hostId }`,
 * which no object literal satisfies; this is that payload.
 */
const hostOnly = (hostId: string) => ({ hostId }) as Parameters<BrowserToServerEvents['sysctl:get']>[0];

/** One pending change as the form holds it: a number, or text the agent parses ("1h", "on"). */
export interface PendingChange {
  name: string;
  value: number | string;
}

/** The sysctl requests of the tuning page, each answer parsed with its schema. */
export const sysctlRequests = (socket: BrowserSocket, hostId: string) => ({
  get: (): Promise<Ack<SysctlStateWire>> => ask(sysctlStateSchema, (reply) => socket.emit('sysctl:get', hostOnly(hostId), reply)),
  preview: (changes: PendingChange[]): Promise<Ack<SysctlPreview>> => ask(sysctlPreviewSchema, (reply) => socket.emit('sysctl:preview', { hostId, changes }, reply), 30_000),
  /** `confirmWithinMs`: the host undoes the change by itself unless it is confirmed in time (null: no deadline). */
  apply: (changes: PendingChange[], freeIdle: boolean, confirmWithinMs: number | null = null): Promise<Ack<SysctlApplyResult>> =>
    ask(sysctlApplyResultSchema, (reply) => socket.emit('sysctl:apply', { hostId, changes, freeIdle, ...(confirmWithinMs !== null ? { confirmWithinMs } : {}) }, reply), 30_000),
  /** Undoes the change the agent recorded as `changeId` (refused when a value moved since, unless forced). */
  rollback: (changeId: string, force: boolean): Promise<Ack<SysctlApplyResult>> =>
    ask(sysctlApplyResultSchema, (reply) => socket.emit('sysctl:rollback', { hostId, changeId, force }, reply), 30_000),
  persistPreview: (request: SysctlPersistRequest): Promise<Ack<SysctlPersistPreview>> =>
    ask(sysctlPersistPreviewSchema, (reply) => socket.emit('sysctl:persistPreview', { hostId, ...request }, reply)),
  persist: (request: SysctlPersistRequest): Promise<Ack<{ written: string[] }>> => ask(sysctlPersistResultSchema, (reply) => socket.emit('sysctl:persist', { hostId, ...request }, reply)),
  history: (limit = 200): Promise<Ack<SysctlHistoryEntry[]>> => ask(sysctlHistorySchema, (reply) => socket.emit('sysctl:history', { hostId, limit }, reply)),
});

export type SysctlRequests = ReturnType<typeof sysctlRequests>;
