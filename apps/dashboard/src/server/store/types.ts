import type { DestinationRecord } from '../notify/types';
import type { AgentInfo, AuditFilter, AuditRow, Composition, HistoryPoint, StatsSample, ViewState } from '@ctscope/protocol';

export type Role = 'admin' | 'operator' | 'viewer';

export interface UserRecord {
  id: number;
  username: string;
  passwordHash: string;
  role: Role;
  /** The OpenID provider an SSO user signs in through (absent for local users, who have a password). */
  ssoIssuer?: string;
}

/** Who a user is at an OpenID provider: its issuer and the subject (`sub`) it gave them. */
export interface OidcIdentity {
  issuer: string;
  subject: string;
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
  /** Set for users who sign in through an OpenID provider. */
  ssoIssuer?: string;
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

/** An API token as stored: only the SHA-256 of its secret. */
export interface ApiTokenRecord {
  id: string;
  userId: number;
  name: string;
  tokenHash: string;
  role: Role;
  createdAt: number;
  expiresAt: number;
  lastUsedAt: number | null;
}

/** A token with its owner's name, for lists (never the hash). */
export type ApiTokenListing = Omit<ApiTokenRecord, 'tokenHash'> & { username: string };

export interface AuditRecord {
  at: number;
  actor: string;
  action: string;
  target: string;
  detail: unknown;
  result: 'ok' | 'error';
}

/** Everything the dashboard persists, on SQLite (default) or PostgreSQL (DATABASE_URL). */
export interface Store {
  findUserByName(username: string): Promise<UserRecord | undefined>;
  findUserById(id: number): Promise<UserRecord | undefined>;
  createUser(username: string, passwordHash: string, role: Role): Promise<UserRecord>;
  countUsers(): Promise<number>;
  /** The user linked to this provider identity (never found by username: a local namesake is another user). */
  findUserByOidc(identity: OidcIdentity): Promise<UserRecord | undefined>;
  /** Creates a user who signs in through the provider; `passwordHash` is a marker no password matches. */
  createOidcUser(username: string, passwordHash: string, role: Role, identity: OidcIdentity): Promise<UserRecord>;

  createSession(session: SessionRecord): Promise<void>;
  findSession(tokenHash: string, now: number): Promise<SessionRecord | undefined>;
  deleteSession(tokenHash: string): Promise<void>;
  deleteExpiredSessions(now: number): Promise<number>;

  /** Registers a host with the hash of its agent token (replacing an older token). */
  upsertHostToken(hostId: string, hostname: string, tokenHash: string): Promise<void>;
  findHostByTokenHash(tokenHash: string): Promise<HostRecord | undefined>;
  listHosts(): Promise<HostRecord[]>;
  /** One host (revoked or not), without reading the others: a fleet's connections announce one host each. */
  findHost(hostId: string): Promise<HostRecord | undefined>;
  recordHostSeen(hostId: string, at: number, agent: AgentInfo | null, latest: StatsSample | null): Promise<void>;

  appendHistory(hostId: string, point: HistoryPoint): Promise<void>;
  /** Points after `since`, oldest first, at most `limit`. */
  listHistory(hostId: string, since: number, limit: number): Promise<HistoryPoint[]>;
  /** Deletes points older than `before`; returns how many. */
  pruneHistory(before: number): Promise<number>;

  /** A host's composition summary (one row per host and time; the same time again replaces it). */
  appendComposition(hostId: string, composition: Composition): Promise<void>;
  /** Times of the stored summaries in [from, to], oldest first (capped). */
  compositionTimes(hostId: string, from: number, to: number): Promise<number[]>;
  /** The time of the last summary at or before `at`, else of the first after it; undefined when none is stored. */
  nearestCompositionTime(hostId: string, at: number): Promise<number | undefined>;
  /** The summaries at these times (at most 200), oldest first. */
  loadCompositions(hostId: string, ats: readonly number[]): Promise<Composition[]>;
  /** Deletes summaries older than `retentionMs` and thins older ones (see COMPOSITION_RESOLUTION); returns how many. */
  pruneCompositions(now: number, retentionMs: number): Promise<number>;

  appendAudit(record: AuditRecord): Promise<void>;
  /** Newest first, at most `limit` rows. */
  listAudit(limit: number): Promise<AuditRecord[]>;
  /** Newest first: rows matching the filter from `offset`, at most `limit`, and how many match in all. */
  queryAudit(filter: AuditFilter, offset: number, limit: number): Promise<{ rows: AuditRow[]; total: number }>;
  /** Distinct actors, targets and actions, for filter pickers (each capped). */
  auditFacets(): Promise<{ actors: string[]; targets: string[]; actions: string[] }>;

  listUsers(): Promise<UserListing[]>;
  countAdmins(): Promise<number>;
  updateUserRole(id: number, role: Role): Promise<boolean>;
  updateUserPassword(id: number, passwordHash: string): Promise<boolean>;
  /** Deletes the user, their sessions and private views; their shared views stay, without an owner. */
  deleteUser(id: number): Promise<boolean>;
  /** Ends a user's sessions, except the one with `keepTokenHash`; returns how many. */
  deleteUserSessions(userId: number, keepTokenHash?: string): Promise<number>;

  /** Adds a host with its token's hash; false when the id is taken. */
  createHost(hostId: string, hostname: string, tokenHash: string, at: number): Promise<boolean>;
  findHostEnrollment(hostId: string): Promise<HostEnrollmentRecord | undefined>;
  listHostEnrollments(): Promise<HostEnrollmentRecord[]>;
  /** Makes the host's token unusable; false when there is no such host. */
  revokeHost(hostId: string, at: number): Promise<boolean>;
  /** Issues a new token hash (and lifts a revocation); false when there is no such host. */
  replaceHostToken(hostId: string, tokenHash: string, at: number): Promise<boolean>;

  createView(view: ViewRecord): Promise<void>;
  findView(id: string): Promise<ViewRecord | undefined>;
  /** The user's own views and everyone's shared ones, by name. */
  listViewsFor(userId: number): Promise<ViewRecord[]>;
  updateView(id: string, patch: { name?: string; shared?: boolean }, at: number): Promise<ViewRecord | undefined>;
  deleteView(id: string): Promise<boolean>;

  /** Notification destinations, secrets included (the API masks them). */
  createDestination(destination: DestinationRecord): Promise<void>;
  findDestination(id: string): Promise<DestinationRecord | undefined>;
  listDestinations(): Promise<DestinationRecord[]>;
  /** Replaces all but id and createdAt; false when there is no such destination. */
  updateDestination(destination: DestinationRecord): Promise<boolean>;
  deleteDestination(id: string): Promise<boolean>;
  /** Adds a token; false when its owner has one of that name already. */
  createApiToken(token: ApiTokenRecord): Promise<boolean>;
  /** The unexpired token with this hash and its owner (deleted users' tokens go with them). */
  findApiTokenByHash(tokenHash: string, now: number): Promise<{ token: ApiTokenRecord; user: UserRecord } | undefined>;
  findApiToken(id: string): Promise<ApiTokenListing | undefined>;
  /** One user's tokens, or everyone's without `userId`; by owner, then name. */
  listApiTokens(userId?: number): Promise<ApiTokenListing[]>;
  deleteApiToken(id: string): Promise<boolean>;
  /** Records a use (callers throttle: see auth/api-tokens.ts). */
  touchApiToken(id: string, at: number): Promise<void>;
  close(): Promise<void>;
}
