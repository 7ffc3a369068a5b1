import { agentInfoSchema, historyPointSchema, statsSampleSchema, type AgentInfo, type AuditFilter, type AuditRow, type Composition, type HistoryPoint, type StatsSample } from '@ctscope/protocol';
import { z } from 'zod';
import { countOf, type Db } from './db';
import * as admin from './sql-admin';
import * as audit from './sql-audit';
import * as notify from './sql-notify';
import * as compositions from './sql-compositions';
import * as tokens from './sql-tokens';
import * as views from './sql-views';
import type { DestinationRecord } from '../notify/types';
import type { ApiTokenListing, ApiTokenRecord, AuditRecord, HostEnrollmentRecord, HostRecord, OidcIdentity, Role, SessionRecord, Store, UserListing, UserRecord, ViewRecord } from './types';

interface UserRow {
  id: number;
  username: string;
  password_hash: string;
  role: Role;
  oidc_issuer: string | null;
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

const toUser = (row: UserRow): UserRecord => ({ id: row.id, username: row.username, passwordHash: row.password_hash, role: row.role, ...(row.oidc_issuer !== null && { ssoIssuer: row.oidc_issuer }) });
const USER_COLUMNS = 'id, username, password_hash, role, oidc_issuer';
const toHost = (row: HostRow): HostRecord => ({
  id: row.id,
  hostname: row.hostname,
  lastSeen: row.last_seen,
  agent: parseJson(agentInfoSchema, row.agent_json),
  latest: parseJson(statsSampleSchema, row.latest_json),
});

/** The store over the typed query layer: the same statements for SQLite and PostgreSQL. */
export class SqlStore implements Store {
  constructor(protected readonly db: Db) {}

  async findUserByName(username: string): Promise<UserRecord | undefined> {
    const row = await this.db.get<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE username = ?`, [username]);
    return row && toUser(row);
  }

  async findUserById(id: number): Promise<UserRecord | undefined> {
    const row = await this.db.get<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`, [id]);
    return row && toUser(row);
  }

  async createUser(username: string, passwordHash: string, role: Role): Promise<UserRecord> {
    const row = await this.db.get<{ id: number }>('INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?) RETURNING id', [username, passwordHash, role, Date.now()]);
    if (!row) throw new Error('the database returned no id for a new user');
    return { id: row.id, username, passwordHash, role };
  }

  async findUserByOidc(identity: OidcIdentity): Promise<UserRecord | undefined> {
    const row = await this.db.get<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE oidc_issuer = ? AND oidc_subject = ?`, [identity.issuer, identity.subject]);
    return row && toUser(row);
  }

  async createOidcUser(username: string, passwordHash: string, role: Role, identity: OidcIdentity): Promise<UserRecord> {
    const row = await this.db.get<{ id: number }>('INSERT INTO users (username, password_hash, role, created_at, oidc_issuer, oidc_subject) VALUES (?, ?, ?, ?, ?, ?) RETURNING id', [
      username,
      passwordHash,
      role,
      Date.now(),
      identity.issuer,
      identity.subject,
    ]);
    if (!row) throw new Error('the database returned no id for a new user');
    return { id: row.id, username, passwordHash, role, ssoIssuer: identity.issuer };
  }

  async countUsers(): Promise<number> {
    return countOf(await this.db.get('SELECT count(*) AS n FROM users'));
  }

  async createSession(session: SessionRecord): Promise<void> {
    await this.db.run('INSERT INTO sessions (token_hash, user_id, expires_at) VALUES (?, ?, ?)', [session.tokenHash, session.userId, session.expiresAt]);
  }

  async findSession(tokenHash: string, now: number): Promise<SessionRecord | undefined> {
    const row = await this.db.get<{ token_hash: string; user_id: number; expires_at: number }>(
      'SELECT token_hash, user_id, expires_at FROM sessions WHERE token_hash = ? AND expires_at > ?',
      [tokenHash, now],
    );
    return row && { tokenHash: row.token_hash, userId: row.user_id, expiresAt: row.expires_at };
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.run('DELETE FROM sessions WHERE token_hash = ?', [tokenHash]);
  }

  deleteExpiredSessions(now: number): Promise<number> {
    return this.db.run('DELETE FROM sessions WHERE expires_at <= ?', [now]);
  }

  async upsertHostToken(hostId: string, hostname: string, tokenHash: string): Promise<void> {
    await this.db.run(
      `INSERT INTO hosts (id, hostname, token_hash, created_at, token_issued_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET token_hash = excluded.token_hash, token_issued_at = excluded.token_issued_at`,
      [hostId, hostname, tokenHash, Date.now(), Date.now()],
    );
  }

  async findHostByTokenHash(tokenHash: string): Promise<HostRecord | undefined> {
    const row = await this.db.get<HostRow>('SELECT id, hostname, last_seen, agent_json, latest_json FROM hosts WHERE token_hash = ? AND revoked_at IS NULL', [tokenHash]);
    return row && toHost(row);
  }

  async listHosts(): Promise<HostRecord[]> {
    return (await this.db.all<HostRow>('SELECT id, hostname, last_seen, agent_json, latest_json FROM hosts ORDER BY id')).map(toHost);
  }

  async findHost(hostId: string): Promise<HostRecord | undefined> {
    const row = await this.db.get<HostRow>('SELECT id, hostname, last_seen, agent_json, latest_json FROM hosts WHERE id = ?', [hostId]);
    return row && toHost(row);
  }

  async recordHostSeen(hostId: string, at: number, agent: AgentInfo | null, latest: StatsSample | null): Promise<void> {
    await this.db.run(
      `UPDATE hosts SET last_seen = ?, hostname = coalesce(?, hostname),
           agent_json = coalesce(?, agent_json), latest_json = coalesce(?, latest_json) WHERE id = ?`,
      [at, agent?.hostname ?? null, agent ? JSON.stringify(agent) : null, latest ? JSON.stringify(latest) : null, hostId],
    );
  }

  async appendHistory(hostId: string, point: HistoryPoint): Promise<void> {
    await this.db.run(
      'INSERT INTO host_history (host_id, at, point_json) VALUES (?, ?, ?) ON CONFLICT (host_id, at) DO UPDATE SET point_json = excluded.point_json',
      [hostId, point.at, JSON.stringify(point)],
    );
  }

  async listHistory(hostId: string, since: number, limit: number): Promise<HistoryPoint[]> {
    const rows = await this.db.all<{ point_json: string }>('SELECT point_json FROM host_history WHERE host_id = ? AND at > ? ORDER BY at LIMIT ?', [
      hostId,
      since,
      Math.max(1, Math.min(100_000, limit)),
    ]);
    return rows.flatMap((r) => {
      const point = historyPointSchema.safeParse(JSON.parse(r.point_json));
      return point.success ? [point.data] : [];
    });
  }

  pruneHistory(before: number): Promise<number> {
    return this.db.run('DELETE FROM host_history WHERE at < ?', [before]);
  }

  appendComposition(hostId: string, composition: Composition): Promise<void> {
    return compositions.appendComposition(this.db, hostId, composition);
  }

  compositionTimes(hostId: string, from: number, to: number): Promise<number[]> {
    return compositions.compositionTimes(this.db, hostId, from, to);
  }

  nearestCompositionTime(hostId: string, at: number): Promise<number | undefined> {
    return compositions.nearestCompositionTime(this.db, hostId, at);
  }

  loadCompositions(hostId: string, ats: readonly number[]): Promise<Composition[]> {
    return compositions.loadCompositions(this.db, hostId, ats);
  }

  pruneCompositions(now: number, retentionMs: number): Promise<number> {
    return compositions.pruneCompositions(this.db, now, retentionMs);
  }

  async appendAudit(record: AuditRecord): Promise<void> {
    await this.db.run('INSERT INTO audit (at, actor, action, target, detail_json, result) VALUES (?, ?, ?, ?, ?, ?)', [
      record.at,
      record.actor,
      record.action,
      record.target,
      JSON.stringify(record.detail ?? null),
      record.result,
    ]);
  }

  async listAudit(limit: number): Promise<AuditRecord[]> {
    const rows = await this.db.all<{ at: number; actor: string; action: string; target: string; detail_json: string; result: AuditRecord['result'] }>(
      'SELECT at, actor, action, target, detail_json, result FROM audit ORDER BY id DESC LIMIT ?',
      [Math.max(1, Math.min(10_000, limit))],
    );
    return rows.map((r) => ({ at: r.at, actor: r.actor, action: r.action, target: r.target, detail: JSON.parse(r.detail_json) as unknown, result: r.result }));
  }

  queryAudit(filter: AuditFilter, offset: number, limit: number): Promise<{ rows: AuditRow[]; total: number }> {
    return audit.queryAudit(this.db, filter, offset, limit);
  }

  auditFacets(): Promise<{ actors: string[]; targets: string[]; actions: string[] }> {
    return audit.auditFacets(this.db);
  }

  listUsers(): Promise<UserListing[]> {
    return admin.listUsers(this.db);
  }

  countAdmins(): Promise<number> {
    return admin.countAdmins(this.db);
  }

  updateUserRole(id: number, role: Role): Promise<boolean> {
    return admin.updateUserRole(this.db, id, role);
  }

  updateUserPassword(id: number, passwordHash: string): Promise<boolean> {
    return admin.updateUserPassword(this.db, id, passwordHash);
  }

  deleteUser(id: number): Promise<boolean> {
    return admin.deleteUser(this.db, id);
  }

  deleteUserSessions(userId: number, keepTokenHash?: string): Promise<number> {
    return admin.deleteUserSessions(this.db, userId, keepTokenHash);
  }

  createHost(hostId: string, hostname: string, tokenHash: string, at: number): Promise<boolean> {
    return admin.createHost(this.db, hostId, hostname, tokenHash, at);
  }

  findHostEnrollment(hostId: string): Promise<HostEnrollmentRecord | undefined> {
    return admin.findHostEnrollment(this.db, hostId);
  }

  listHostEnrollments(): Promise<HostEnrollmentRecord[]> {
    return admin.listHostEnrollments(this.db);
  }

  revokeHost(hostId: string, at: number): Promise<boolean> {
    return admin.revokeHost(this.db, hostId, at);
  }

  replaceHostToken(hostId: string, tokenHash: string, at: number): Promise<boolean> {
    return admin.replaceHostToken(this.db, hostId, tokenHash, at);
  }

  createView(view: ViewRecord): Promise<void> {
    return views.createView(this.db, view);
  }

  findView(id: string): Promise<ViewRecord | undefined> {
    return views.findView(this.db, id);
  }

  listViewsFor(userId: number): Promise<ViewRecord[]> {
    return views.listViewsFor(this.db, userId);
  }

  updateView(id: string, patch: { name?: string; shared?: boolean }, at: number): Promise<ViewRecord | undefined> {
    return views.updateView(this.db, id, patch, at);
  }

  deleteView(id: string): Promise<boolean> {
    return views.deleteView(this.db, id);
  }

  createDestination(destination: DestinationRecord): Promise<void> {
    return notify.createDestination(this.db, destination);
  }

  findDestination(id: string): Promise<DestinationRecord | undefined> {
    return notify.findDestination(this.db, id);
  }

  listDestinations(): Promise<DestinationRecord[]> {
    return notify.listDestinations(this.db);
  }

  updateDestination(destination: DestinationRecord): Promise<boolean> {
    return notify.updateDestination(this.db, destination);
  }

  deleteDestination(id: string): Promise<boolean> {
    return notify.deleteDestination(this.db, id);
  }

  createApiToken(token: ApiTokenRecord): Promise<boolean> {
    return tokens.createApiToken(this.db, token);
  }

  findApiTokenByHash(tokenHash: string, now: number): Promise<{ token: ApiTokenRecord; user: UserRecord } | undefined> {
    return tokens.findApiTokenByHash(this.db, tokenHash, now);
  }

  findApiToken(id: string): Promise<ApiTokenListing | undefined> {
    return tokens.findApiToken(this.db, id);
  }

  listApiTokens(userId?: number): Promise<ApiTokenListing[]> {
    return tokens.listApiTokens(this.db, userId);
  }

  deleteApiToken(id: string): Promise<boolean> {
    return tokens.deleteApiToken(this.db, id);
  }

  touchApiToken(id: string, at: number): Promise<void> {
    return tokens.touchApiToken(this.db, id, at);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
