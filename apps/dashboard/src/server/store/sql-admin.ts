import { countOf, type Db } from './db';
import type { HostEnrollmentRecord, Role, UserListing } from './types';

/** Users and host enrollment: the rows the admin pages change. */

export async function listUsers(db: Db): Promise<UserListing[]> {
  // lower() rather than SQLite's COLLATE NOCASE: the same case-insensitive order in both dialects.
  const rows = await db.all<{ id: number; username: string; role: Role; created_at: number; oidc_issuer: string | null }>(
    'SELECT id, username, role, created_at, oidc_issuer FROM users ORDER BY lower(username), username',
  );
  return rows.map((r) => ({ id: r.id, username: r.username, role: r.role, createdAt: r.created_at, ...(r.oidc_issuer !== null && { ssoIssuer: r.oidc_issuer }) }));
}

export async function countAdmins(db: Db): Promise<number> {
  return countOf(await db.get("SELECT count(*) AS n FROM users WHERE role = 'admin'"));
}

export async function updateUserRole(db: Db, id: number, role: Role): Promise<boolean> {
  return (await db.run('UPDATE users SET role = ? WHERE id = ?', [role, id])) > 0;
}

export async function updateUserPassword(db: Db, id: number, passwordHash: string): Promise<boolean> {
  return (await db.run('UPDATE users SET password_hash = ? WHERE id = ?', [passwordHash, id])) > 0;
}

export function deleteUser(db: Db, id: number): Promise<boolean> {
  return db.transaction(async (tx) => {
    await tx.run('DELETE FROM views WHERE owner_id = ? AND shared = 0', [id]);
    // Sessions go by cascade; shared views keep their owner's name and lose the link.
    return (await tx.run('DELETE FROM users WHERE id = ?', [id])) > 0;
  });
}

export function deleteUserSessions(db: Db, userId: number, keepTokenHash?: string): Promise<number> {
  return db.run('DELETE FROM sessions WHERE user_id = ? AND token_hash != ?', [userId, keepTokenHash ?? '']);
}

export async function createHost(db: Db, hostId: string, hostname: string, tokenHash: string, at: number): Promise<boolean> {
  return (await db.run('INSERT INTO hosts (id, hostname, token_hash, created_at, token_issued_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING', [hostId, hostname, tokenHash, at, at])) > 0;
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

export async function findHostEnrollment(db: Db, hostId: string): Promise<HostEnrollmentRecord | undefined> {
  const row = await db.get<EnrollmentRow>(`SELECT ${ENROLLMENT_COLUMNS} FROM hosts WHERE id = ?`, [hostId]);
  return row && toEnrollment(row);
}

export async function listHostEnrollments(db: Db): Promise<HostEnrollmentRecord[]> {
  return (await db.all<EnrollmentRow>(`SELECT ${ENROLLMENT_COLUMNS} FROM hosts ORDER BY id`)).map(toEnrollment);
}

/** A revoked host keeps a placeholder that no SHA-256 hex digest can equal (the column is unique). */
export async function revokeHost(db: Db, hostId: string, at: number): Promise<boolean> {
  return (await db.run("UPDATE hosts SET revoked_at = coalesce(revoked_at, ?), token_hash = 'revoked:' || id WHERE id = ?", [at, hostId])) > 0;
}

export async function replaceHostToken(db: Db, hostId: string, tokenHash: string, at: number): Promise<boolean> {
  return (await db.run('UPDATE hosts SET token_hash = ?, token_issued_at = ?, revoked_at = NULL WHERE id = ?', [tokenHash, at, hostId])) > 0;
}
