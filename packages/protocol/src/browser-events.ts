import { z } from 'zod';
import type { AckCallback } from './ack';
import { hostIdSchema, hostSummarySchema, type HostSummary } from './host';
import { statsSampleSchema, type StatsSample } from './stats';

/** Socket.IO namespace browsers connect to (session cookie required). */
export const BROWSER_NAMESPACE = '/browsers';

export const browserHandshakeSchema = z.object({ protocolVersion: z.number().int() });

export const hostStatsSchema = z.object({ hostId: hostIdSchema, sample: statsSampleSchema });
export type HostStats = { hostId: string; sample: StatsSample };

/** Events the dashboard pushes to browsers. */
export interface ServerToBrowserEvents {
  /** A host came online, went offline or changed its description. */
  'host:changed': (host: HostSummary) => void;
  /** A new stats sample from a host. */
  'host:sampled': (stats: HostStats) => void;
}

/** Requests a browser sends. */
export interface BrowserToServerEvents {
  'hosts:list': (payload: Record<string, never>, ack: AckCallback<HostSummary[]>) => void;
}

export const emptyPayloadSchema = z.object({}).strict();

/** Schemas for every browser→dashboard payload, parsed on arrival. */
export const browserToServerSchemas = {
  'hosts:list': emptyPayloadSchema,
} as const;

/** Schemas for dashboard→browser payloads, parsed by the browser on arrival. */
export const serverToBrowserSchemas = {
  'host:changed': hostSummarySchema,
  'host:sampled': hostStatsSchema,
} as const;

export const hostListSchema = z.array(hostSummarySchema);
