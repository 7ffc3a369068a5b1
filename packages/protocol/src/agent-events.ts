import { z } from 'zod';
import type { AckCallback } from './ack';
import { agentInfoSchema } from './host';
import { statsSampleSchema, type StatsSample } from './stats';

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

/** Events an agent emits to the dashboard. */
export interface AgentToServerEvents {
  'stats:sampled': (sample: StatsSample) => void;
}

/** Events the dashboard emits to an agent. */
export interface ServerToAgentEvents {
  welcomed: (welcome: AgentWelcome) => void;
  /** Liveness probe for request/response round trips (used by tests and the UI's host check). */
  'agent:ping': (payload: Record<string, never>, ack: AckCallback<{ at: number }>) => void;
}

/** Schemas for every agent→dashboard payload, parsed on arrival. */
export const agentToServerSchemas = {
  'stats:sampled': statsSampleSchema,
} as const;
