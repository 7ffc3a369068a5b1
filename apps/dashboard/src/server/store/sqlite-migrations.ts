/** Schema versions, applied in order inside one transaction each; never edit a released step. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
    created_at INTEGER NOT NULL
  );
  CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX sessions_expiry ON sessions(expires_at);
  CREATE TABLE hosts (
    id TEXT PRIMARY KEY,
    hostname TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    last_seen INTEGER,
    agent_json TEXT,
    latest_json TEXT
  );
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail_json TEXT NOT NULL,
    result TEXT NOT NULL
  );
  `,
  `
  CREATE TABLE host_history (
    host_id TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    point_json TEXT NOT NULL,
    PRIMARY KEY (host_id, at)
  ) WITHOUT ROWID;
  CREATE INDEX host_history_at ON host_history(at);
  `,
  `
  ALTER TABLE hosts ADD COLUMN token_issued_at INTEGER;
  ALTER TABLE hosts ADD COLUMN revoked_at INTEGER;
  CREATE TABLE views (
    id TEXT PRIMARY KEY,
    owner_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    owner_name TEXT NOT NULL,
    name TEXT NOT NULL,
    shared INTEGER NOT NULL CHECK (shared IN (0, 1)),
    state_json TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX views_owner ON views(owner_id);
  CREATE INDEX audit_at ON audit(at);
  CREATE INDEX audit_actor ON audit(actor);
  CREATE INDEX audit_target ON audit(target);
  `,
];
