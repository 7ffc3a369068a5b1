import { ErrorCode, addHostRequestSchema, enrollmentCommands, hostIdSchema, type AgentDownloads, type ManagedHost } from '@ctscope/protocol';
import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import type { AgentLinks } from '../hosts/agent-links';
import { enrollmentFor, managedHosts, newAgentToken } from '../hosts/enrollment';
import type { HostRegistry } from '../hosts/registry';
import { readRelease } from '../release/release-files';
import type { Store } from '../store/types';
import { allowRoles, auditChange, parseOr400, signedIn, type SignedInRequest } from './guards';
import { sendError } from './send-error';

export interface HostsApiDeps {
  store: Store;
  registry: HostRegistry;
  links: AgentLinks | undefined;
  /** CTSCOPE_PUBLIC_URL. Never the request's Host or scheme: anyone can send those, and hosts would fetch root's code from them. */
  publicUrl: string | undefined;
  /** Where the agent packages are (CTSCOPE_RELEASE_DIR); none means no install commands. */
  releaseDir: string | undefined;
  logger: Logger;
}

const ADMIN_ONLY = ['admin'] as const;

/** The host id a refused add named, for the audit row (bounded; the body is not validated yet). */
const requestedId = (body: unknown): string => {
  const id = typeof body === 'object' && body !== null ? (body as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id.slice(0, 63) : 'hosts';
};

/** Host enrollment: admins add hosts (a token shown once), revoke them (disconnected at once) and re-issue tokens. */
export function hostsRouter(deps: HostsApiDeps): Router {
  const { store, registry, links, publicUrl, releaseDir, logger } = deps;
  const router = express.Router();
  const packages = async () => (releaseDir ? ((await readRelease(releaseDir))?.packages ?? []) : []);
  const enrollment = async (hostId: string, token: string) => enrollmentFor(hostId, token, publicUrl ?? null, await packages());
  const managed = async (hostId: string): Promise<ManagedHost | undefined> => (await managedHosts(registry, await store.listHostEnrollments())).find((h) => h.host.id === hostId);
  const hostParam = async (req: Request, res: Response): Promise<string | undefined> => {
    const id = hostIdSchema.safeParse(req.params.id);
    if (id.success && (await store.findHostEnrollment(id.data))) return id.data;
    sendError(res, 404, ErrorCode.NotFound, 'no such host');
    return undefined;
  };

  // The install commands without a token: what upgrading a host takes, and what the page warns about.
  router.get('/hosts/downloads', async (_req, res) => {
    const downloads: AgentDownloads = { dashboardUrl: publicUrl ?? null, install: enrollmentCommands(publicUrl ?? null, await packages()).install };
    res.json(downloads);
  });

  router.get('/hosts/managed', async (_req, res) => {
    res.json({ hosts: await managedHosts(registry, await store.listHostEnrollments()) });
  });

  router.post('/hosts', async (req: SignedInRequest, res) => {
    if (!(await allowRoles(deps, req, res, ADMIN_ONLY, 'host.add', requestedId(req.body as unknown)))) return;
    const body = parseOr400(addHostRequestSchema, req.body, res);
    if (!body) return;
    const { token, hash } = newAgentToken();
    if (!(await store.createHost(body.id, body.hostname, hash, Date.now()))) return sendError(res, 409, ErrorCode.BadRequest, `a host with id ${body.id} exists already; pick another id or issue it a new token`);
    await auditChange(store, signedIn(req).username, 'host.add', body.id, { before: null, after: { id: body.id, hostname: body.hostname } });
    logger.info({ hostId: body.id, by: signedIn(req).username }, 'host added');
    res.status(201).json({ host: await managed(body.id), enrollment: await enrollment(body.id, token) });
  });

  router.post('/hosts/:id/revoke', async (req: SignedInRequest, res) => {
    if (!(await allowRoles(deps, req, res, ADMIN_ONLY, 'host.revoke', String(req.params.id)))) return;
    const hostId = await hostParam(req, res);
    if (!hostId) return;
    const before = await store.findHostEnrollment(hostId);
    await store.revokeHost(hostId, Date.now());
    const disconnected = links?.disconnect(hostId) ?? false;
    await auditChange(store, signedIn(req).username, 'host.revoke', hostId, { before: { revoked: before?.revokedAt !== null }, after: { revoked: true, disconnected } });
    logger.info({ hostId, by: signedIn(req).username, disconnected }, 'host token revoked');
    res.json({ host: await managed(hostId) });
  });

  router.post('/hosts/:id/token', async (req: SignedInRequest, res) => {
    if (!(await allowRoles(deps, req, res, ADMIN_ONLY, 'host.token', String(req.params.id)))) return;
    const hostId = await hostParam(req, res);
    if (!hostId) return;
    const before = await store.findHostEnrollment(hostId);
    const { token, hash } = newAgentToken();
    await store.replaceHostToken(hostId, hash, Date.now());
    // The running agent holds the old token: it must reconnect with the new one.
    const disconnected = links?.disconnect(hostId) ?? false;
    await auditChange(store, signedIn(req).username, 'host.token', hostId, { before: { revoked: before?.revokedAt !== null }, after: { newToken: true, disconnected } });
    logger.info({ hostId, by: signedIn(req).username }, 'host token re-issued');
    res.json({ host: await managed(hostId), enrollment: await enrollment(hostId, token) });
  });

  return router;
}
