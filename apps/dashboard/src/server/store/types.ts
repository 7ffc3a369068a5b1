import type { AgentInfo, HistoryPoint, StatsSample } from '@ctscope/protocol';

export type Role = 'admin' | 'operator' | 'viewer';

export interface UserRecord {
  id: number;
  username: string;
  passwordHash: string;
  role: Role;
}

export interface SessionRecord {
  tokenHash: string;
  userId: number;
  expiresAt: number;
}

export interface HostRecord {
  id: string;
  hostname: string;
  lastSeen: number | null;
  agent: AgentInfo | null;
  latest: StatsSample | null;
}

export interface AuditRecord {
  at: number;
  actor: string;
  action: string;
  target: string;
  detail: unknown;
  result: 'ok' | 'error';
}

/** Everything the dashboard persists. SQLite implements it; PostgreSQL will too. */
export interface Store {
  findUserByName(username: string): UserRecord | undefined;
  findUserById(id: number): UserRecord | undefined;
  createUser(username: string, passwordHash: string, role: Role): UserRecord;
  countUsers(): number;

  createSession(session: SessionRecord): void;
  findSession(tokenHash: string, now: number): SessionRecord | undefined;
  deleteSession(tokenHash: string): void;
  deleteExpiredSessions(now: number): number;

  /** Registers a host with the hash of its agent token (replacing an older token). */
  upsertHostToken(hostId: string, hostname: string, tokenHash: string): void;
  findHostByTokenHash(tokenHash: string): HostRecord | undefined;
  listHosts(): HostRecord[];
  recordHostSeen(hostId: string, at: number, agent: AgentInfo | null, latest: StatsSample | null): void;

  appendHistory(hostId: string, point: HistoryPoint): void;
  /** Points after `since`, oldest first, at most `limit`. */
  listHistory(hostId: string, since: number, limit: number): HistoryPoint[];
  /** Deletes points older than `before`; returns how many. */
  pruneHistory(before: number): number;

  appendAudit(record: AuditRecord): void;
  /** Newest first, at most `limit` rows. */
  listAudit(limit: number): AuditRecord[];
  close(): void;
}
