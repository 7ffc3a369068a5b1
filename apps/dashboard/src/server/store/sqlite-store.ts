import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { agentInfoSchema, historyPointSchema, statsSampleSchema, type AgentInfo, type AuditFilter, type AuditRow, type HistoryPoint, type StatsSample } from '@ctscope/protocol';
import Database from 'better-sqlite3';
import { z } from 'zod';
import * as admin from './sqlite-admin';
import * as audit from './sqlite-audit';
import { MIGRATIONS } from './sqlite-migrations';
import * as views from './sqlite-views';
import type { AuditRecord, HostEnrollmentRecord, HostRecord, Role, SessionRecord, Store, UserListing, UserRecord, ViewRecord } from './types';

interface UserRow {
  id: number;
  username: string;
  password_hash: string;
  role: Role;
}
interface HostRow {
  id: string;
  hostname: string;
  last_seen: number | null;
  agent_json: string | null;
  latest_json: string | null;
}

function parseJson<T>(schema: z.ZodType<T>, text: string | null): T | null {
  if (text === null) return null;
  const parsed = schema.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : null;
}

const toUser = (row: UserRow): UserRecord => ({ id: row.id, username: row.username, passwordHash: row.password_hash, role: row.role });
const toHost = (row: HostRow): HostRecord => ({
  id: row.id,
  hostname: row.hostname,
  lastSeen: row.last_seen,
  agent: parseJson(agentInfoSchema, row.agent_json),
  latest: parseJson(statsSampleSchema, row.latest_json),
});

export class SqliteStore implements Store {
  private readonly db: Database.Database;

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    this.db = new Database(file);
    // First, so that a second dashboard process opening the same file waits instead of failing.
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.migrate();
  }

  /** Each step in its own write-locked transaction that re-reads the version: two processes starting at once apply it once. */
  private migrate(): void {
    MIGRATIONS.forEach((sql, step) => {
      this.db.transaction(() => {
        if ((this.db.pragma('user_version', { simple: true }) as number) > step) return;
        this.db.exec(sql);
        this.db.pragma(`user_version = ${step + 1}`);
      }).immediate();
    });
  }

  findUserByName(username: string): UserRecord | undefined {
    const row = this.db.prepare<[string], UserRow>('SELECT id, username, password_hash, role FROM users WHERE username = ?').get(username);
    return row && toUser(row);
  }

  findUserById(id: number): UserRecord | undefined {
    const row = this.db.prepare<[number], UserRow>('SELECT id, username, password_hash, role FROM users WHERE id = ?').get(id);
    return row && toUser(row);
  }

  createUser(username: string, passwordHash: string, role: Role): UserRecord {
    const info = this.db
      .prepare('INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)')
      .run(username, passwordHash, role, Date.now());
    return { id: Number(info.lastInsertRowid), username, passwordHash, role };
  }

  countUsers(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
  }

  createSession(session: SessionRecord): void {
    this.db.prepare('INSERT INTO sessions (token_hash, user_id, expires_at) VALUES (?, ?, ?)').run(session.tokenHash, session.userId, session.expiresAt);
  }

  findSession(tokenHash: string, now: number): SessionRecord | undefined {
    const row = this.db
      .prepare<[string, number], { token_hash: string; user_id: number; expires_at: number }>(
        'SELECT token_hash, user_id, expires_at FROM sessions WHERE token_hash = ? AND expires_at > ?',
      )
      .get(tokenHash, now);
    return row && { tokenHash: row.token_hash, userId: row.user_id, expiresAt: row.expires_at };
  }

  deleteSession(tokenHash: string): void {
    this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(tokenHash);
  }

  deleteExpiredSessions(now: number): number {
    return this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now).changes;
  }

  upsertHostToken(hostId: string, hostname: string, tokenHash: string): void {
    this.db
      .prepare(
        `INSERT INTO hosts (id, hostname, token_hash, created_at, token_issued_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET token_hash = excluded.token_hash, token_issued_at = excluded.token_issued_at`,
      )
      .run(hostId, hostname, tokenHash, Date.now(), Date.now());
  }

  findHostByTokenHash(tokenHash: string): HostRecord | undefined {
    const row = this.db
      .prepare<[string], HostRow>('SELECT id, hostname, last_seen, agent_json, latest_json FROM hosts WHERE token_hash = ? AND revoked_at IS NULL')
      .get(tokenHash);
    return row && toHost(row);
  }

  listHosts(): HostRecord[] {
    return this.db.prepare<[], HostRow>('SELECT id, hostname, last_seen, agent_json, latest_json FROM hosts ORDER BY id').all().map(toHost);
  }

  recordHostSeen(hostId: string, at: number, agent: AgentInfo | null, latest: StatsSample | null): void {
    this.db
      .prepare(
        `UPDATE hosts SET last_seen = ?, hostname = coalesce(?, hostname),
           agent_json = coalesce(?, agent_json), latest_json = coalesce(?, latest_json) WHERE id = ?`,
      )
      .run(at, agent?.hostname ?? null, agent ? JSON.stringify(agent) : null, latest ? JSON.stringify(latest) : null, hostId);
  }

  appendHistory(hostId: string, point: HistoryPoint): void {
    this.db.prepare('INSERT OR REPLACE INTO host_history (host_id, at, point_json) VALUES (?, ?, ?)').run(hostId, point.at, JSON.stringify(point));
  }

  listHistory(hostId: string, since: number, limit: number): HistoryPoint[] {
    const rows = this.db
      .prepare('SELECT point_json FROM host_history WHERE host_id = ? AND at > ? ORDER BY at LIMIT ?')
      .all(hostId, since, Math.max(1, Math.min(100_000, limit))) as { point_json: string }[];
    return rows.flatMap((r) => {
      const point = historyPointSchema.safeParse(JSON.parse(r.point_json));
      return point.success ? [point.data] : [];
    });
  }

  pruneHistory(before: number): number {
    return this.db.prepare('DELETE FROM host_history WHERE at < ?').run(before).changes;
  }

  appendAudit(record: AuditRecord): void {
    this.db
      .prepare('INSERT INTO audit (at, actor, action, target, detail_json, result) VALUES (?, ?, ?, ?, ?, ?)')
      .run(record.at, record.actor, record.action, record.target, JSON.stringify(record.detail ?? null), record.result);
  }

  listAudit(limit: number): AuditRecord[] {
    const rows = this.db
      .prepare('SELECT at, actor, action, target, detail_json, result FROM audit ORDER BY id DESC LIMIT ?')
      .all(Math.max(1, Math.min(10_000, limit))) as { at: number; actor: string; action: string; target: string; detail_json: string; result: AuditRecord['result'] }[];
    return rows.map((r) => ({ at: r.at, actor: r.actor, action: r.action, target: r.target, detail: JSON.parse(r.detail_json) as unknown, result: r.result }));
  }

  queryAudit(filter: AuditFilter, offset: number, limit: number): { rows: AuditRow[]; total: number } {
    return audit.queryAudit(this.db, filter, offset, limit);
  }

  auditFacets(): { actors: string[]; targets: string[]; actions: string[] } {
    return audit.auditFacets(this.db);
  }

  listUsers(): UserListing[] {
    return admin.listUsers(this.db);
  }

  countAdmins(): number {
    return admin.countAdmins(this.db);
  }

  updateUserRole(id: number, role: Role): boolean {
    return admin.updateUserRole(this.db, id, role);
  }

  updateUserPassword(id: number, passwordHash: string): boolean {
    return admin.updateUserPassword(this.db, id, passwordHash);
  }

  deleteUser(id: number): boolean {
    return admin.deleteUser(this.db, id);
  }

  deleteUserSessions(userId: number, keepTokenHash?: string): number {
    return admin.deleteUserSessions(this.db, userId, keepTokenHash);
  }

  createHost(hostId: string, hostname: string, tokenHash: string, at: number): boolean {
    return admin.createHost(this.db, hostId, hostname, tokenHash, at);
  }

  findHostEnrollment(hostId: string): HostEnrollmentRecord | undefined {
    return admin.findHostEnrollment(this.db, hostId);
  }

  listHostEnrollments(): HostEnrollmentRecord[] {
    return admin.listHostEnrollments(this.db);
  }

  revokeHost(hostId: string, at: number): boolean {
    return admin.revokeHost(this.db, hostId, at);
  }

  replaceHostToken(hostId: string, tokenHash: string, at: number): boolean {
    return admin.replaceHostToken(this.db, hostId, tokenHash, at);
  }

  createView(view: ViewRecord): void {
    views.createView(this.db, view);
  }

  findView(id: string): ViewRecord | undefined {
    return views.findView(this.db, id);
  }

  listViewsFor(userId: number): ViewRecord[] {
    return views.listViewsFor(this.db, userId);
  }

  updateView(id: string, patch: { name?: string; shared?: boolean }, at: number): ViewRecord | undefined {
    return views.updateView(this.db, id, patch, at);
  }

  deleteView(id: string): boolean {
    return views.deleteView(this.db, id);
  }

  close(): void {
    this.db.close();
  }
}
