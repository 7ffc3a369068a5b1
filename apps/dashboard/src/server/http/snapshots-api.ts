import { ErrorCode, aggregateRequestSchema, describeZodError, windowSpecSchema, type SnapshotDetail } from '@ctscope/protocol';
import { SnapshotFileError } from '@ctscope/protocol/snapshot-file';
import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { SnapshotsFullError, type SnapshotFiles } from '../snapshots/snapshot-files';
import type { OpenedSnapshot, SnapshotViews } from '../snapshots/snapshot-views';
import type { Store } from '../store/types';
import { allowRoles, auditChange, signedIn, type SignedInRequest } from './guards';
import { sendError } from './send-error';

export interface SnapshotsApiDeps {
  store: Store;
  files: SnapshotFiles;
  views: SnapshotViews;
  logger: Logger;
}

/** Uploading stores data and takes the server's CPU to check it: operators and admins. Viewers browse. */
const UPLOADERS = ['admin', 'operator'] as const;

export const snapshotNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((name) => ![...name].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f), 'name: no control characters');
export const snapshotWindowQuery = z.object({
  q: z.string().default(''),
  sort: windowSpecSchema.shape.sort.shape.column.default('timeout'),
  desc: z.enum(['0', '1']).default('1'),
  offset: z.coerce.number().default(0),
  limit: z.coerce.number().default(100),
});
export const snapshotAggregateQuery = z.object({ q: z.string().default(''), top: z.coerce.number().default(10) });

/**
 * Incident snapshots on the dashboard: upload (a gzip body, streamed, size-capped, checked line by line),
 * list, delete, and read-only browsing of one: its sections, and windows and breakdowns of its table.
 */
export function snapshotsRouter({ store, files, views, logger }: SnapshotsApiDeps): Router {
  const router = express.Router();

  const opened = async (req: Request, res: Response): Promise<OpenedSnapshot | undefined> => {
    const id = String(req.params.id);
    try {
      const found = await views.open(id);
      if (!found) sendError(res, 404, ErrorCode.NotFound, 'no such snapshot; it may have been deleted');
      return found;
    } catch (err) {
      logger.error({ err, snapshot: id }, 'could not open a stored snapshot');
      sendError(res, 500, ErrorCode.Internal, err instanceof SnapshotFileError ? `the stored file cannot be read: ${err.message}` : 'the snapshot could not be opened; see the dashboard log');
      return undefined;
    }
  };

  router.get('/', async (_req, res) => {
    res.json({ snapshots: await files.list() });
  });

  router.post('/', async (req: SignedInRequest, res) => {
    const user = signedIn(req);
    const rawName = typeof req.query.name === 'string' ? req.query.name : '';
    if (!(await allowRoles({ store, logger }, req, res, UPLOADERS, 'snapshot.upload', `snapshot:${rawName.slice(0, 100)}`))) return void req.resume();
    const name = snapshotNameSchema.safeParse(rawName);
    if (!name.success) {
      req.resume();
      return sendError(res, 400, ErrorCode.BadRequest, `?name=: ${describeZodError(name.error)}`);
    }
    try {
      const stored = await files.save(req, name.data, user.username);
      await auditChange(store, user.username, 'snapshot.upload', `snapshot:${stored.id}`, { name: stored.name, bytes: stored.bytes, flows: stored.flows, host: stored.host, createdAt: stored.createdAt });
      res.status(201).json({ snapshot: stored });
    } catch (err) {
      const known = err instanceof SnapshotFileError || err instanceof SnapshotsFullError;
      if (!known) logger.error({ err }, 'snapshot upload failed');
      const message = known ? err.message : 'the upload failed; see the dashboard log';
      await auditChange(store, user.username, 'snapshot.upload', `snapshot:${name.data}`, { name: name.data, refused: message }, 'error');
      // The rest of a refused upload is not read: the connection closes after the answer.
      res.setHeader('Connection', 'close');
      if (err instanceof SnapshotsFullError) return sendError(res, 409, ErrorCode.Conflict, message);
      if (err instanceof SnapshotFileError) return sendError(res, message.includes('larger than') ? 413 : 400, ErrorCode.BadRequest, message);
      return sendError(res, 500, ErrorCode.Internal, message);
    }
  });

  router.delete('/:id', async (req: SignedInRequest, res) => {
    const id = String(req.params.id);
    if (!(await allowRoles({ store, logger }, req, res, UPLOADERS, 'snapshot.delete', `snapshot:${id.slice(0, 20)}`))) return;
    const snapshot = await files.find(id);
    if (!snapshot) return sendError(res, 404, ErrorCode.NotFound, 'no such snapshot; it may have been deleted');
    await auditChange(store, signedIn(req).username, 'snapshot.delete', `snapshot:${id}`, { name: snapshot.name, host: snapshot.host, createdAt: snapshot.createdAt });
    views.drop(id);
    await files.remove(id);
    res.status(204).end();
  });

  router.get('/:id', async (req, res) => {
    const found = await opened(req, res);
    if (!found) return;
    const detail: SnapshotDetail = { snapshot: found.snapshot, sections: found.sections };
    res.json(detail);
  });

  router.get('/:id/window', async (req, res) => {
    const query = snapshotWindowQuery.safeParse(req.query);
    const spec = query.success ? windowSpecSchema.safeParse({ query: query.data.q, sort: { column: query.data.sort, desc: query.data.desc === '1' }, offset: query.data.offset, limit: query.data.limit }) : query;
    if (!spec.success) return sendError(res, 400, ErrorCode.BadRequest, describeZodError(spec.error));
    const found = await opened(req, res);
    if (!found) return;
    const answer = found.table.window(spec.data);
    if (!answer.ok) return sendError(res, 400, ErrorCode.BadRequest, answer.message);
    res.json(answer.data);
  });

  router.get('/:id/aggregates', async (req, res) => {
    const query = snapshotAggregateQuery.safeParse(req.query);
    const request = query.success ? aggregateRequestSchema.safeParse({ query: query.data.q, top: query.data.top }) : query;
    if (!request.success) return sendError(res, 400, ErrorCode.BadRequest, describeZodError(request.error));
    const found = await opened(req, res);
    if (!found) return;
    const answer = found.table.aggregates(request.data.query, request.data.top);
    if (!answer.ok) return sendError(res, 400, ErrorCode.BadRequest, answer.message);
    res.json(answer.data);
  });

  return router;
}
