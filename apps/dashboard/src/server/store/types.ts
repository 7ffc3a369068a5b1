import type { AgentInfo, AuditFilter, AuditRow, HistoryPoint, StatsSample, ViewState } from '@ctscope/protocol';

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

export interface UserListing {
  id: number;
  username: string;
  role: Role;
  createdAt: number;
}

/** A host's enrollment: when it was added, when its token was issued, whether it is revoked. */
export interface HostEnrollmentRecord {
  id: string;
  hostname: string;
  createdAt: number;
  tokenIssuedAt: number | null;
  revokedAt: number | null;
}

export interface ViewRecord {
  id: string;
  /** Null once the owner's account is deleted (shared views outlive their owner). */
  ownerId: number | null;
  ownerName: string;
  name: string;
  shared: boolean;
  state: ViewState;
  createdAt: number;
  updatedAt: number;
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
  /** Newest first: rows matching the filter from `offset`, at most `limit`, and how many match in all. */
  queryAudit(filter: AuditFilter, offset: number, limit: number): { rows: AuditRow[]; total: number };
  /** Distinct actors, targets and actions, for filter pickers (each capped). */
  auditFacets(): { actors: string[]; targets: string[]; actions: string[] };

  listUsers(): UserListing[];
  countAdmins(): number;
  updateUserRole(id: number, role: Role): boolean;
  updateUserPassword(id: number, passwordHash: string): boolean;
  /** Deletes the user, their sessions and private views; their shared views stay, without an owner. */
  deleteUser(id: number): boolean;
  /** Ends a user's sessions, except the one with `keepTokenHash`; returns how many. */
  deleteUserSessions(userId: number, keepTokenHash?: string): number;

  /** Adds a host with its token's hash; false when the id is taken. */
  createHost(hostId: string, hostname: string, tokenHash: string, at: number): boolean;
  findHostEnrollment(hostId: string): HostEnrollmentRecord | undefined;
  listHostEnrollments(): HostEnrollmentRecord[];
  /** Makes the host's token unusable; false when there is no such host. */
  revokeHost(hostId: string, at: number): boolean;
  /** Issues a new token hash (and lifts a revocation); false when there is no such host. */
  replaceHostToken(hostId: string, tokenHash: string, at: number): boolean;

  createView(view: ViewRecord): void;
  findView(id: string): ViewRecord | undefined;
  /** The user's own views and everyone's shared ones, by name. */
  listViewsFor(userId: number): ViewRecord[];
  updateView(id: string, patch: { name?: string; shared?: boolean }, at: number): ViewRecord | undefined;
  deleteView(id: string): boolean;
  close(): void;
}
