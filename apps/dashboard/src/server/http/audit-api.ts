import { AUDIT_CSV_HEADER, AUDIT_EXPORT_LIMIT, auditCsvLine, auditExportFormatSchema, auditQuerySchema, type AuditFilter, type AuditQuery, type AuditRow } from '@ctscope/protocol';
import express, { type Router } from 'express';
import type { Store } from '../store/types';
import { hidePrivateViews } from './audit-privacy';
import { parseOr400, signedIn, type SignedInRequest } from './guards';

const EXPORT_CHUNK = 1000;

const filterOf = (q: AuditQuery): AuditFilter => ({
  ...(q.actor !== undefined && { actor: q.actor }),
  ...(q.target !== undefined && { target: q.target }),
  ...(q.action !== undefined && { action: q.action }),
  ...(q.result !== undefined && { result: q.result }),
  ...(q.from !== undefined && { from: q.from }),
  ...(q.to !== undefined && { to: q.to }),
});

/**
 * The audit trail for everyone signed in: pages, filter values and exports (CSV or JSON lines). Private
 * views' names and queries are shown to their owners and admins only.
 */
export function auditRouter({ store }: { store: Store }): Router {
  const router = express.Router();
  const ownerOf = async (viewId: string) => (await store.findView(viewId))?.ownerName;
  const visibleRows = (rows: readonly AuditRow[], req: SignedInRequest) => hidePrivateViews(rows, signedIn(req), ownerOf);

  router.get('/', async (req: SignedInRequest, res) => {
    const query = parseOr400(auditQuerySchema, req.query, res);
    if (!query) return;
    const { rows, total } = await store.queryAudit(filterOf(query), (query.page - 1) * query.pageSize, query.pageSize);
    res.json({ rows: await visibleRows(rows, req), total, page: query.page, pageSize: query.pageSize });
  });

  router.get('/facets', async (_req, res) => {
    res.json(await store.auditFacets());
  });

  router.get('/export', async (req: SignedInRequest, res) => {
    const query = parseOr400(auditQuerySchema, req.query, res);
    if (!query) return;
    const format = parseOr400(auditExportFormatSchema, req.query.format ?? 'csv', res);
    if (!format) return;
    const filter = filterOf(query);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    res.setHeader('Content-Type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="ctscope-audit-${stamp}.${format === 'csv' ? 'csv' : 'jsonl'}"`);
    res.setHeader('Cache-Control', 'no-store');
    if (format === 'csv') res.write(`${AUDIT_CSV_HEADER}\n`);
    for (let offset = 0; offset < AUDIT_EXPORT_LIMIT; offset += EXPORT_CHUNK) {
      const { rows } = await store.queryAudit(filter, offset, EXPORT_CHUNK);
      res.write((await visibleRows(rows, req)).map((row) => `${format === 'csv' ? auditCsvLine(row) : JSON.stringify(row)}\n`).join(''));
      if (rows.length < EXPORT_CHUNK) break;
    }
    res.end();
  });

  return router;
}
