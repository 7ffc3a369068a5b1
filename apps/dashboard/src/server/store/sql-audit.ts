import type { AuditFilter, AuditRow } from '@ctscope/protocol';
import { countOf, type Db } from './db';

interface AuditDbRow {
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string;
  detail_json: string;
  result: AuditRow['result'];
}

const FACET_LIMIT = 500;

function parseDetail(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** The WHERE clause and its parameters for an audit filter (every value bound, never spliced). */
function whereClause(filter: AuditFilter): { sql: string; params: (string | number)[] } {
  const clauses: string[] = [];
  const params: (string | number)[] = [];
  const add = (sql: string, value: string | number | undefined) => {
    if (value === undefined) return;
    clauses.push(sql);
    params.push(value);
  };
  add('actor = ?', filter.actor);
  add('target = ?', filter.target);
  add('action = ?', filter.action);
  add('result = ?', filter.result);
  add('at >= ?', filter.from);
  add('at <= ?', filter.to);
  return { sql: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/** Newest first: one page of matching audit rows and the number of matches. */
export async function queryAudit(db: Db, filter: AuditFilter, offset: number, limit: number): Promise<{ rows: AuditRow[]; total: number }> {
  const where = whereClause(filter);
  const total = countOf(await db.get(`SELECT count(*) AS n FROM audit ${where.sql}`, where.params));
  const rows = await db.all<AuditDbRow>(`SELECT id, at, actor, action, target, detail_json, result FROM audit ${where.sql} ORDER BY id DESC LIMIT ? OFFSET ?`, [
    ...where.params,
    Math.max(1, Math.min(100_000, limit)),
    Math.max(0, offset),
  ]);
  return {
    total,
    rows: rows.map((r) => ({ id: r.id, at: r.at, actor: r.actor, action: r.action, target: r.target, detail: parseDetail(r.detail_json), result: r.result })),
  };
}

export async function auditFacets(db: Db): Promise<{ actors: string[]; targets: string[]; actions: string[] }> {
  const distinct = async (column: 'actor' | 'target' | 'action') =>
    (await db.all<{ v: string }>(`SELECT DISTINCT ${column} AS v FROM audit ORDER BY v LIMIT ?`, [FACET_LIMIT])).map((r) => r.v);
  const [actors, targets, actions] = await Promise.all([distinct('actor'), distinct('target'), distinct('action')]);
  return { actors, targets, actions };
}
