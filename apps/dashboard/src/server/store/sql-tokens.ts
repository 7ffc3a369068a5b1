import type { Db } from './db';
import type { ApiTokenListing, ApiTokenRecord, Role, UserRecord } from './types';

/** API tokens: only the SHA-256 of each secret is stored; a user's tokens go with the user (cascade). */

interface TokenRow {
  id: string;
  user_id: number;
  name: string;
  role: Role;
  created_at: number;
  expires_at: number;
  last_used_at: number | null;
  username: string;
}

const LISTING = 'SELECT t.id, t.user_id, t.name, t.role, t.created_at, t.expires_at, t.last_used_at, u.username FROM api_tokens t JOIN users u ON u.id = t.user_id';
const toListing = (r: TokenRow): ApiTokenListing => ({
  id: r.id,
  userId: r.user_id,
  name: r.name,
  role: r.role,
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
  lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
  username: r.username,
});

export async function createApiToken(db: Db, t: ApiTokenRecord): Promise<boolean> {
  const changed = await db.run(
    `INSERT INTO api_tokens (id, user_id, name, token_hash, role, created_at, expires_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (user_id, name) DO NOTHING`,
    [t.id, t.userId, t.name, t.tokenHash, t.role, t.createdAt, t.expiresAt, t.lastUsedAt],
  );
  return changed > 0;
}

export async function findApiTokenByHash(db: Db, tokenHash: string, now: number): Promise<{ token: ApiTokenRecord; user: UserRecord } | undefined> {
  const row = await db.get<TokenRow & { password_hash: string; user_role: Role }>(
    `SELECT t.id, t.user_id, t.name, t.role, t.created_at, t.expires_at, t.last_used_at, u.username, u.password_hash, u.role AS user_role
       FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? AND t.expires_at > ?`,
    [tokenHash, now],
  );
  if (!row) return undefined;
  const { username: _name, ...token } = toListing(row);
  return { token: { ...token, tokenHash }, user: { id: row.user_id, username: row.username, passwordHash: row.password_hash, role: row.user_role } };
}

export async function findApiToken(db: Db, id: string): Promise<ApiTokenListing | undefined> {
  const row = await db.get<TokenRow>(`${LISTING} WHERE t.id = ?`, [id]);
  return row && toListing(row);
}

export async function listApiTokens(db: Db, userId?: number): Promise<ApiTokenListing[]> {
  const order = 'ORDER BY lower(u.username), u.username, lower(t.name), t.name';
  const rows = userId === undefined ? await db.all<TokenRow>(`${LISTING} ${order}`) : await db.all<TokenRow>(`${LISTING} WHERE t.user_id = ? ${order}`, [userId]);
  return rows.map(toListing);
}

export async function deleteApiToken(db: Db, id: string): Promise<boolean> {
  return (await db.run('DELETE FROM api_tokens WHERE id = ?', [id])) > 0;
}

export async function touchApiToken(db: Db, id: string, at: number): Promise<void> {
  await db.run('UPDATE api_tokens SET last_used_at = ? WHERE id = ?', [at, id]);
}
