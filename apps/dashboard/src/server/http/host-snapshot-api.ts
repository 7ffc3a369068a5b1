import { ErrorCode, MAX_HISTORY_POINTS, ackFailSchema, describeZodError, hostIdSchema, snapshotMadeSchema, snapshotQuerySchema, type ServerToAgentEvents } from '@ctscope/protocol';
import express, { type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { AgentLinks } from '../hosts/agent-links';
import type { LiveSnapshots } from '../snapshots/live-snapshots';
import type { Store } from '../store/types';
import { auditChange, signedIn, type SignedInRequest } from './guards';
import { sendError } from './send-error';

export interface HostSnapshotApiDeps {
  store: Store;
  links: AgentLinks;
  snapshots: LiveSnapshots;
  logger: Logger;
  /** The largest file the agent may send (CTSCOPE_SNAPSHOT_MAX_MB: what an upload takes back). */
  maxBytes: number;
  /** The agent has this long to start, and then between two chunks, before the download fails. */
  idleMs?: number;
}

export const hostSnapshotQuery = z.object({ q: snapshotQuerySchema.default('') });

const IDLE_MS = 60_000;

const STATUS_OF: Partial<Record<string, number>> = { [ErrorCode.BadRequest]: 400, [ErrorCode.Forbidden]: 403, [ErrorCode.Conflict]: 409, [ErrorCode.Timeout]: 504, [ErrorCode.HostOffline]: 503 };

/** A file name safe in Content-Disposition: the host's name and the time, nothing else. */
export function snapshotFileName(hostname: string, at: number): string {
  const host = hostname.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 60) || 'host';
  return `ctscope-${host}-${new Date(at).toISOString().slice(0, 19).replace(/[-:]/g, '')}Z.ctsnap.gz`;
}

/**
 * GET /api/hosts/:id/snapshot?q=: the host's agent makes an incident snapshot and sends it in chunks,
 * each written to the response before the agent sends the next, so nothing holds the file. Any
 * signed-in user (it is the data a viewer reads anyway); one at a time per host, a few a minute per
 * user; audited (snapshot.make) with the filter, bytes and flows, and when it fails or is cancelled.
 */
export function hostSnapshotRouter({ store, links, snapshots, logger, maxBytes, idleMs = IDLE_MS }: HostSnapshotApiDeps): Router {
  const router = express.Router();

  router.get('/hosts/:id/snapshot', async (req: SignedInRequest, res: Response) => {
    const user = signedIn(req);
    const id = hostIdSchema.safeParse(req.params.id);
    if (!id.success) return sendError(res, 404, ErrorCode.NotFound, 'no such host');
    const query = hostSnapshotQuery.safeParse(req.query);
    if (!query.success) return sendError(res, 400, ErrorCode.BadRequest, `?q=: ${describeZodError(query.error)}`);
    const hostId = id.data;
    const filter = query.data.q.trim();
    const host = await store.findHost(hostId);
    if (!host) return sendError(res, 404, ErrorCode.NotFound, 'no such host');
    if (links.heldElsewhere(hostId)) {
      return sendError(res, 409, ErrorCode.Unavailable, `the agent of ${host.hostname} is connected to another dashboard server of this cluster, and a snapshot streams only from the server holding the agent: open the dashboard on that server (not through the load balancer), or use "ctscope snapshot" on the host`);
    }
    const socket = links.localSocket(hostId);
    if (!socket) return sendError(res, 503, ErrorCode.HostOffline, `host ${host.hostname} is offline; start its agent, or use "ctscope snapshot" on the host`);
    const admitted = snapshots.admit(hostId, user.username);
    if (!admitted.ok) {
      if (admitted.retryAfterMs !== undefined) res.setHeader('Retry-After', Math.ceil(admitted.retryAfterMs / 1000));
      return sendError(res, admitted.status, admitted.code, admitted.message);
    }
    const { snapId } = admitted;
    const started = Date.now();
    let bytes = 0;
    let finished = false;
    let timer: NodeJS.Timeout | undefined;

    const audit = (detail: Record<string, unknown>, result: 'ok' | 'error') =>
      auditChange(store, user.username, 'snapshot.make', `host:${hostId}`, { host: host.hostname, filter: filter || null, bytes, ...detail }, result).catch((err: unknown) => logger.error({ err, hostId }, 'could not audit a snapshot'));
    const finish = async (outcome: { ok: true; flows: number; notes: string[] } | { ok: false; status: number; code: string; message: string }) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      snapshots.stop(snapId, 'the download ended');
      snapshots.close(snapId, hostId);
      socket.off('disconnect', onAgentGone);
      if (outcome.ok) {
        await audit({ flows: outcome.flows, ms: Date.now() - started }, 'ok');
        logger.info({ hostId, user: user.username, bytes, flows: outcome.flows }, 'snapshot downloaded');
        return void res.end();
      }
      await audit({ refused: outcome.message }, 'error');
      if (!res.headersSent) return sendError(res, outcome.status, outcome.code, outcome.message);
      // Headers and part of the file are out: only cutting the connection tells the browser the file is incomplete.
      res.destroy();
    };
    const idle = () => {
      clearTimeout(timer);
      timer = setTimeout(() => void finish({ ok: false, status: 504, code: ErrorCode.Timeout, message: `host ${host.hostname} sent nothing for ${Math.round(idleMs / 1000)} s; it may be overloaded (or its agent older than this dashboard)` }), idleMs);
    };
    const onAgentGone = () => void finish({ ok: false, status: 503, code: ErrorCode.HostOffline, message: `host ${host.hostname} disconnected during the snapshot; try again when it is back` });
    socket.once('disconnect', onAgentGone);
    res.on('close', () => {
      if (!finished && !res.writableFinished) {
        snapshots.stop(snapId, 'the browser went away (download cancelled)');
        void finish({ ok: false, status: 499, code: ErrorCode.Unavailable, message: 'the download was cancelled before it was complete' });
      }
    });

    snapshots.open(
      snapId,
      hostId,
      (data) => {
        if (!res.headersSent) {
          res.status(200);
          res.setHeader('Content-Type', 'application/gzip');
          res.setHeader('Content-Disposition', `attachment; filename="${snapshotFileName(host.hostname, started)}"`);
          res.setHeader('Cache-Control', 'no-store');
        }
        bytes += data.byteLength;
        if (res.write(data) || res.destroyed) return Promise.resolve();
        return new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done).off('close', done);
            resolve();
          };
          res.on('drain', done).on('close', done);
        });
      },
      idle,
    );
    idle();
    const storedHistory = await store.listHistory(hostId, started - 3_600_000, MAX_HISTORY_POINTS).catch((err: unknown) => {
      logger.warn({ err, hostId }, 'could not read the stored history for a snapshot; the agent\'s own goes alone');
      return [];
    });
    const payload = { snapId, query: filter, maxBytes, storedHistory, actor: { user: user.username, role: user.role } };
    (socket as unknown as { emit: (e: string, p: Parameters<ServerToAgentEvents['snapshot:make']>[0], ack: (answer: unknown) => void) => void }).emit('snapshot:make', payload, (answer: unknown) => {
      const made = typeof answer === 'object' && answer !== null && (answer as { ok?: unknown }).ok === true ? snapshotMadeSchema.safeParse((answer as { data?: unknown }).data) : null;
      if (made?.success) return void finish({ ok: true, flows: made.data.flows, notes: made.data.notes });
      const failure = ackFailSchema.safeParse(answer);
      if (!failure.success) return void finish({ ok: false, status: 502, code: ErrorCode.Internal, message: 'the agent sent a malformed answer' });
      void finish({ ok: false, status: STATUS_OF[failure.data.code] ?? 502, code: failure.data.code, message: failure.data.message });
    });
  });

  return router;
}
