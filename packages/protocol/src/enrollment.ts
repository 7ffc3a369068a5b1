import { z } from 'zod';
import { hostIdSchema, hostSummarySchema } from './host';

/** Where the enrollment commands put the agent's token on the new host. */
export const AGENT_TOKEN_FILE = '/etc/ctscope/agent.token';

export const addHostRequestSchema = z.object({
  id: hostIdSchema,
  hostname: z.string().trim().min(1, 'hostname: required').max(253, 'hostname: at most 253 characters'),
});
export type AddHostRequest = z.infer<typeof addHostRequestSchema>;

/** A host as the hosts page lists it: its live summary plus whether its token is still valid. */
export const managedHostSchema = z.object({
  host: hostSummarySchema,
  createdAt: z.number().int(),
  /** When its token was last issued, null if unknown (hosts enrolled before this was kept). */
  tokenIssuedAt: z.number().int().nullable(),
  /** When its token was revoked; null while the agent may connect. */
  revokedAt: z.number().int().nullable(),
});
export type ManagedHost = z.infer<typeof managedHostSchema>;

export const managedHostListResponseSchema = z.object({ hosts: z.array(managedHostSchema) });

/** A freshly issued token, shown once, and the commands that start the agent with it. */
export const enrollmentSchema = z.object({
  hostId: hostIdSchema,
  token: z.string(),
  dashboardUrl: z.string(),
  tokenFile: z.string(),
  /** Writes the token file (mode 0600, root only). */
  writeTokenCommand: z.string(),
  /** Starts the agent with that file. */
  startCommand: z.string(),
});
export type Enrollment = z.infer<typeof enrollmentSchema>;

export const enrollmentResponseSchema = z.object({ host: managedHostSchema, enrollment: enrollmentSchema });

/** Shell commands for a token: the token is base64url, so single quotes need no escaping. */
export function enrollmentCommands(dashboardUrl: string, token: string, tokenFile = AGENT_TOKEN_FILE): { writeTokenCommand: string; startCommand: string } {
  return {
    writeTokenCommand: `echo '${token}' | sudo install -D -m 0600 -o root -g root /dev/stdin ${tokenFile}`,
    startCommand: `sudo npx ctscope agent --dashboard ${dashboardUrl} --token-file ${tokenFile}`,
  };
}
