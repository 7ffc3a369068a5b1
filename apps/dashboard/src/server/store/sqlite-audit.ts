import type { AuditFilter, AuditRow } from '@ctscope/protocol';
import type Database from 'better-sqlite3';

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
export function queryAudit(db: Database.Database, filter: AuditFilter, offset: number, limit: number): { rows: AuditRow[]; total: number } {
  const where = whereClause(filter);
  const total = (db.prepare(`SELECT count(*) AS n FROM audit ${where.sql}`).get(...where.params) as { n: number }).n;
  const rows = db
    .prepare(`SELECT id, at, actor, action, target, detail_json, result FROM audit ${where.sql} ORDER BY id DESC LIMIT ? OFFSET ?`)
    .all(...where.params, Math.max(1, Math.min(100_000, limit)), Math.max(0, offset)) as AuditDbRow[];
  return {
    total,
    rows: rows.map((r) => ({ id: r.id, at: r.at, actor: r.actor, action: r.action, target: r.target, detail: parseDetail(r.detail_json), result: r.result })),
  };
}

export function auditFacets(db: Database.Database): { actors: string[]; targets: string[]; actions: string[] } {
  const distinct = (column: 'actor' | 'target' | 'action') =>
    (db.prepare(`SELECT DISTINCT ${column} AS v FROM audit ORDER BY v LIMIT ?`).all(FACET_LIMIT) as { v: string }[]).map((r) => r.v);
  return { actors: distinct('actor'), targets: distinct('target'), actions: distinct('action') };
}
