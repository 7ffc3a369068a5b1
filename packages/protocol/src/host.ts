import { z } from 'zod';
import { statsSampleSchema } from './stats';

export const hostIdSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'host id: lowercase letters, digits, ".", "_", "-" (max 63)');

/** What an agent says about itself when it connects. */
export const agentInfoSchema = z.object({
  hostname: z.string().min(1).max(253),
  agentVersion: z.string().min(1).max(64),
  kernel: z.string().max(256),
  /** How the agent reads the kernel table; 'replay' marks a simulated host playing back recorded traffic. */
  source: z.enum(['netlink', 'cli', 'replay']),
});
export type AgentInfo = z.infer<typeof agentInfoSchema>;

/** A host as the dashboard lists it. */
export const hostSummarySchema = z.object({
  id: hostIdSchema,
  hostname: z.string(),
  online: z.boolean(),
  /** Milliseconds since the epoch of the last message from the agent, null if never seen. */
  lastSeen: z.number().int().nullable(),
  agent: agentInfoSchema.nullable(),
  latest: statsSampleSchema.nullable(),
  /** The last time a second agent with this host's token was refused while the connected one was healthy. */
  duplicateAgent: z.object({ at: z.number().int(), address: z.string().max(100), hostname: z.string().max(253) }).optional(),
});
export type HostSummary = z.infer<typeof hostSummarySchema>;
