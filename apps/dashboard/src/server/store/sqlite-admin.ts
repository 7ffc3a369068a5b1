import type Database from 'better-sqlite3';
import type { HostEnrollmentRecord, Role, UserListing } from './types';

/** Users and host enrollment: the rows the admin pages change. */

export function listUsers(db: Database.Database): UserListing[] {
  return (db.prepare('SELECT id, username, role, created_at FROM users ORDER BY username COLLATE NOCASE').all() as { id: number; username: string; role: Role; created_at: number }[]).map(
    (r) => ({ id: r.id, username: r.username, role: r.role, createdAt: r.created_at }),
  );
}

export function countAdmins(db: Database.Database): number {
  return (db.prepare("SELECT count(*) AS n FROM users WHERE role = 'admin'").get() as { n: number }).n;
}

export function updateUserRole(db: Database.Database, id: number, role: Role): boolean {
  return db.prepare('UPDATE users SET role = ? WHERE id = ?').run(role, id).changes > 0;
}

export function updateUserPassword(db: Database.Database, id: number, passwordHash: string): boolean {
  return db.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(passwordHash, id).changes > 0;
}

export function deleteUser(db: Database.Database, id: number): boolean {
  return db.transaction(() => {
    db.prepare('DELETE FROM views WHERE owner_id = ? AND shared = 0').run(id);
    // Sessions go by cascade; shared views keep their owner's name and lose the link.
    return db.prepare('DELETE FROM users WHERE id = ?').run(id).changes > 0;
  })();
}

export function deleteUserSessions(db: Database.Database, userId: number, keepTokenHash?: string): number {
  return db.prepare('DELETE FROM sessions WHERE user_id = ? AND token_hash != ?').run(userId, keepTokenHash ?? '').changes;
}

export function createHost(db: Database.Database, hostId: string, hostname: string, tokenHash: string, at: number): boolean {
  return db.prepare('INSERT INTO hosts (id, hostname, token_hash, created_at, token_issued_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING').run(hostId, hostname, tokenHash, at, at).changes > 0;
}

interface EnrollmentRow {
  id: string;
  hostname: string;
  created_at: number;
  token_issued_at: number | null;
  revoked_at: number | null;
}
const toEnrollment = (r: EnrollmentRow): HostEnrollmentRecord => ({ id: r.id, hostname: r.hostname, createdAt: r.created_at, tokenIssuedAt: r.token_issued_at, revokedAt: r.revoked_at });
const ENROLLMENT_COLUMNS = 'id, hostname, created_at, token_issued_at, revoked_at';

export function findHostEnrollment(db: Database.Database, hostId: string): HostEnrollmentRecord | undefined {
  const row = db.prepare<[string], EnrollmentRow>(`SELECT ${ENROLLMENT_COLUMNS} FROM hosts WHERE id = ?`).get(hostId);
  return row && toEnrollment(row);
}

export function listHostEnrollments(db: Database.Database): HostEnrollmentRecord[] {
  return db.prepare<[], EnrollmentRow>(`SELECT ${ENROLLMENT_COLUMNS} FROM hosts ORDER BY id`).all().map(toEnrollment);
}

/** A revoked host keeps a placeholder that no SHA-256 hex digest can equal (the column is unique). */
export function revokeHost(db: Database.Database, hostId: string, at: number): boolean {
  return db.prepare("UPDATE hosts SET revoked_at = coalesce(revoked_at, ?), token_hash = 'revoked:' || id WHERE id = ?").run(at, hostId).changes > 0;
}

export function replaceHostToken(db: Database.Database, hostId: string, tokenHash: string, at: number): boolean {
  return db.prepare('UPDATE hosts SET token_hash = ?, token_issued_at = ?, revoked_at = NULL WHERE id = ?').run(tokenHash, at, hostId).changes > 0;
}
