import { randomBytes } from 'node:crypto';
import { ErrorCode, destinationIdParamSchema, destinationInputSchema } from '@ctscope/protocol';
import express, { type Response, type Router } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { toSummary } from '../notify/mask';
import type { NotifyService } from '../notify/service';
import type { DestinationRecord, DestinationSecret } from '../notify/types';
import type { Store } from '../store/types';
import { allowRoles, auditChange, parseOr400, signedIn, type SignedInRequest } from './guards';
import { sendError } from './send-error';

export interface NotifyApiDeps {
  store: Store;
  logger: Logger;
  notify: NotifyService;
}

const ADMIN_ONLY = ['admin'] as const;
const MAX_DESTINATIONS = 50;

type Input = z.output<typeof destinationInputSchema>;

/** The secrets an edit leaves: the stored ones unless replaced (a value) or removed (null). */
function mergeSecret(input: Input, before: DestinationSecret | undefined): DestinationSecret | string {
  if (input.kind !== 'webhook' && input.hmacSecret) return 'hmacSecret: only a webhook signs its bodies';
  if (input.kind !== 'alertmanager' && input.auth) return 'auth: only Alertmanager takes credentials';
  const hmacSecret = input.kind !== 'webhook' || input.hmacSecret === null ? undefined : (input.hmacSecret ?? before?.hmacSecret);
  const auth = input.kind !== 'alertmanager' || input.auth === null ? undefined : (input.auth ?? before?.auth);
  return { ...(hmacSecret !== undefined && { hmacSecret }), ...(auth !== undefined && { auth }) };
}

/** Admins manage where alerts are sent; secrets go in and never come back out. */
export function notifyRouter(deps: NotifyApiDeps): Router {
  const { store, notify } = deps;
  const router = express.Router();
  const summary = (d: DestinationRecord) => toSummary(d, notify.dispatcher.status(d.id));
  const target = (d: { name: string }) => `notify:${d.name}`;

  const existing = async (req: SignedInRequest, res: Response): Promise<DestinationRecord | undefined> => {
    const id = destinationIdParamSchema.safeParse(req.params.id);
    const found = id.success ? await store.findDestination(id.data) : undefined;
    if (!found) sendError(res, 404, ErrorCode.NotFound, 'no such notification destination (it may have been deleted: reload the page)');
    return found;
  };

  router.get('/notifications', async (req: SignedInRequest, res) => {
    if (!(await allowRoles(deps, req, res, ADMIN_ONLY, 'notify.list', 'notifications'))) return;
    res.json({ destinations: (await store.listDestinations()).map(summary) });
  });

  router.post('/notifications', async (req: SignedInRequest, res) => {
    if (!(await allowRoles(deps, req, res, ADMIN_ONLY, 'notify.create', 'notifications'))) return;
    const input = parseOr400(destinationInputSchema, req.body, res);
    if (!input) return;
    if (!input.url) return sendError(res, 400, ErrorCode.BadRequest, 'url: required for a new destination');
    const secret = mergeSecret(input, undefined);
    if (typeof secret === 'string') return sendError(res, 400, ErrorCode.BadRequest, secret);
    if ((await store.listDestinations()).length >= MAX_DESTINATIONS) return sendError(res, 409, ErrorCode.Conflict, `at most ${MAX_DESTINATIONS} destinations; delete one first`);
    const now = Date.now();
    const created: DestinationRecord = { id: randomBytes(12).toString('base64url'), name: input.name, kind: input.kind, enabled: input.enabled, minSeverity: input.minSeverity, hosts: input.hosts, url: input.url, secret, createdAt: now, updatedAt: now };
    await store.createDestination(created);
    await auditChange(store, signedIn(req).username, 'notify.create', target(created), { before: null, after: auditView(created) });
    await notify.reload();
    res.status(201).json({ destination: summary(created) });
  });

  router.put('/notifications/:id', async (req: SignedInRequest, res) => {
    if (!(await allowRoles(deps, req, res, ADMIN_ONLY, 'notify.update', 'notifications'))) return;
    const before = await existing(req, res);
    if (!before) return;
    const input = parseOr400(destinationInputSchema, req.body, res);
    if (!input) return;
    if (!input.url && input.kind !== before.kind) return sendError(res, 400, ErrorCode.BadRequest, 'url: give the address again when changing the kind');
    const secret = mergeSecret(input, input.kind === before.kind ? before.secret : undefined);
    if (typeof secret === 'string') return sendError(res, 400, ErrorCode.BadRequest, secret);
    const after: DestinationRecord = { ...before, name: input.name, kind: input.kind, enabled: input.enabled, minSeverity: input.minSeverity, hosts: input.hosts, url: input.url ?? before.url, secret, updatedAt: Date.now() };
    if (!(await store.updateDestination(after))) return sendError(res, 404, ErrorCode.NotFound, 'no such notification destination (it was deleted meanwhile)');
    await auditChange(store, signedIn(req).username, 'notify.update', target(after), { before: auditView(before), after: auditView(after) });
    await notify.reload();
    res.json({ destination: summary(after) });
  });

  router.delete('/notifications/:id', async (req: SignedInRequest, res) => {
    if (!(await allowRoles(deps, req, res, ADMIN_ONLY, 'notify.delete', 'notifications'))) return;
    const before = await existing(req, res);
    if (!before) return;
    if (!(await store.deleteDestination(before.id))) return sendError(res, 404, ErrorCode.NotFound, 'no such notification destination (it was deleted meanwhile)');
    await auditChange(store, signedIn(req).username, 'notify.delete', target(before), { before: auditView(before), after: null });
    await notify.reload();
    res.status(204).end();
  });

  router.post('/notifications/:id/test', async (req: SignedInRequest, res) => {
    if (!(await allowRoles(deps, req, res, ADMIN_ONLY, 'notify.test', 'notifications'))) return;
    const destination = await existing(req, res);
    if (!destination) return;
    const result = await notify.sendTest(destination);
    await auditChange(store, signedIn(req).username, 'notify.test', target(destination), { url: summary(destination).urlMasked, error: result.ok ? null : result.error }, result.ok ? 'ok' : 'error');
    res.json({ ok: result.ok, error: result.ok ? null : result.error, destination: summary(destination) });
  });

  return router;
}

/** What the audit log keeps of a destination: no secret, the address masked. */
function auditView(d: DestinationRecord) {
  const { urlMasked, hasSecret, name, kind, enabled, minSeverity, hosts } = toSummary(d, { lastSuccessAt: null, lastFailureAt: null, lastError: null, sent: 0, queued: 0, dropped: 0 });
  return { name, kind, enabled, minSeverity, hosts, url: urlMasked, hasSecret };
}
