import { randomBytes } from 'node:crypto';
import { AGENT_TOKEN_FILE, enrollmentCommands, type AgentPackage, type Enrollment, type ManagedHost } from '@ctscope/protocol';
import { sha256 } from '../auth/sessions';
import type { HostEnrollmentRecord } from '../store/types';
import type { HostRegistry } from './registry';

/** A new agent token (256 random bits, base64url) and the hash the store keeps instead of it. */
export function newAgentToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: sha256(token) };
}

/** What the admin sees once: the token and the commands that install the agent, write the token and start it. */
export function enrollmentFor(hostId: string, token: string, dashboardUrl: string | null, packages: readonly AgentPackage[]): Enrollment {
  return { hostId, token, dashboardUrl, tokenFile: AGENT_TOKEN_FILE, ...enrollmentCommands(dashboardUrl, packages) };
}

/** Hosts with their live status and token state, for the hosts page. */
export async function managedHosts(registry: HostRegistry, enrollments: readonly HostEnrollmentRecord[]): Promise<ManagedHost[]> {
  const byId = new Map(enrollments.map((e) => [e.id, e]));
  return (await registry.list()).flatMap((host) => {
    const e = byId.get(host.id);
    return e ? [{ host, createdAt: e.createdAt, tokenIssuedAt: e.tokenIssuedAt, revokedAt: e.revokedAt }] : [];
  });
}
