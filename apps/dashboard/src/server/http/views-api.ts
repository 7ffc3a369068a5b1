import { randomBytes } from 'node:crypto';
import { ErrorCode, createViewRequestSchema, updateViewRequestSchema, viewHref, viewIdSchema, type SavedView, type SessionUser } from '@ctscope/protocol';
import express, { type Response, type Router } from 'express';
import type { Logger } from 'pino';
import type { Store, ViewRecord } from '../store/types';
import { sendError } from './send-error';
import { auditChange, parseOr400, signedIn, type SignedInRequest } from './guards';

type User = SessionUser & { id: number };

const MAX_VIEWS_PER_USER = 500;

const visibleTo = (view: ViewRecord, user: User): boolean => view.shared || view.ownerId === user.id;
const editableBy = (view: ViewRecord, user: User): boolean => view.ownerId === user.id || user.role === 'admin';

export function toSavedView(view: ViewRecord, user: User): SavedView {
  return {
    id: view.id,
    name: view.name,
    shared: view.shared,
    owner: view.ownerId === null ? null : view.ownerName,
    editable: editableBy(view, user),
    state: view.state,
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
    href: viewHref(view.state),
  };
}

// The owner is named so the audit log can show a private view's details to that user (and admins) only.
const summary = (v: ViewRecord) => ({ name: v.name, shared: v.shared, page: v.state.page, hostId: v.state.hostId, owner: v.ownerName });

/**
 * Saved views: anyone signed in keeps private views and may share them (views change nothing on a host);
 * only the owner or an admin renames, re-shares or deletes one.
 */
export function viewsRouter({ store }: { store: Store; logger: Logger }): Router {
  const router = express.Router();

  /** The view if this user may see it, otherwise a 404 (private views of others do not exist for them). */
  const visibleView = async (req: SignedInRequest, res: Response): Promise<ViewRecord | undefined> => {
    const id = viewIdSchema.safeParse(req.params.id);
    const view = id.success ? await store.findView(id.data) : undefined;
    if (view && visibleTo(view, signedIn(req))) return view;
    sendError(res, 404, ErrorCode.NotFound, 'no such view, or it is private to someone else');
    return undefined;
  };

  router.get('/', async (req: SignedInRequest, res) => {
    const user = signedIn(req);
    res.json({ views: (await store.listViewsFor(user.id)).map((v) => toSavedView(v, user)) });
  });

  router.get('/:id', async (req: SignedInRequest, res) => {
    const view = await visibleView(req, res);
    if (view) res.json({ view: toSavedView(view, signedIn(req)) });
  });

  router.post('/', async (req: SignedInRequest, res) => {
    const user = signedIn(req);
    const body = parseOr400(createViewRequestSchema, req.body, res);
    if (!body) return;
    if ((await store.listViewsFor(user.id)).filter((v) => v.ownerId === user.id).length >= MAX_VIEWS_PER_USER) {
      return sendError(res, 409, ErrorCode.BadRequest, `you have ${MAX_VIEWS_PER_USER} views already; delete some first`);
    }
    const now = Date.now();
    const view: ViewRecord = { id: randomBytes(12).toString('base64url'), ownerId: user.id, ownerName: user.username, name: body.name, shared: body.shared, state: body.state, createdAt: now, updatedAt: now };
    await store.createView(view);
    await auditChange(store, user.username, 'view.create', `view:${view.id}`, { before: null, after: { ...summary(view), href: viewHref(view.state) } });
    res.status(201).json({ view: toSavedView(view, user) });
  });

  router.patch('/:id', async (req: SignedInRequest, res) => {
    const user = signedIn(req);
    const view = await visibleView(req, res);
    if (!view) return;
    const body = parseOr400(updateViewRequestSchema, req.body, res);
    if (!body) return;
    if (!editableBy(view, user)) {
      await auditChange(store, user.username, 'view.update', `view:${view.id}`, { refused: 'only its owner or an admin may change a view' }, 'error');
      return sendError(res, 403, ErrorCode.Forbidden, 'only its owner or an admin may change this view');
    }
    const patch = { ...(body.name !== undefined && { name: body.name }), ...(body.shared !== undefined && { shared: body.shared }) };
    const updated = await store.updateView(view.id, patch, Date.now());
    if (!updated) return sendError(res, 404, ErrorCode.NotFound, 'the view was deleted meanwhile');
    await auditChange(store, user.username, 'view.update', `view:${view.id}`, { before: summary(view), after: summary(updated) });
    res.json({ view: toSavedView(updated, user) });
  });

  router.delete('/:id', async (req: SignedInRequest, res) => {
    const user = signedIn(req);
    const view = await visibleView(req, res);
    if (!view) return;
    if (!editableBy(view, user)) {
      await auditChange(store, user.username, 'view.delete', `view:${view.id}`, { refused: 'only its owner or an admin may delete a view' }, 'error');
      return sendError(res, 403, ErrorCode.Forbidden, 'only its owner or an admin may delete this view');
    }
    await store.deleteView(view.id);
    await auditChange(store, user.username, 'view.delete', `view:${view.id}`, { before: summary(view), after: null });
    res.status(204).end();
  });

  return router;
}
