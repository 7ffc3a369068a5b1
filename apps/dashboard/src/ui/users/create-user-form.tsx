'use client';

import { MIN_PASSWORD_LENGTH, ROLES, userResponseSchema, type Role } from '@ctscope/protocol';
import { useState, type FormEvent } from 'react';
import { apiCall } from '../admin/api-client';

/** Admins create an account with a role and a first password. */
export function CreateUserForm({ onCreated }: { onCreated(username: string): void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    const res = await apiCall(userResponseSchema, 'POST', '/api/users', { username, password, role });
    setBusy(false);
    if (!res.ok) return setError(res.message);
    setError(null);
    setUsername('');
    setPassword('');
    onCreated(res.data.user.username);
  }

  return (
    <form className="panel inline-fields" onSubmit={(e) => void submit(e)} aria-label="Create a user">
      <h2>Create a user</h2>
      <label>
        Username
        <input value={username} onChange={(e) => setUsername(e.target.value)} required maxLength={64} autoComplete="off" />
      </label>
      <label>
        Password
        <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} required minLength={MIN_PASSWORD_LENGTH} autoComplete="new-password" placeholder={`at least ${MIN_PASSWORD_LENGTH} characters`} />
      </label>
      <label>
        Role
        <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={busy}>
        {busy ? 'Creating…' : 'Create user'}
      </button>
      {error && (
        <p className="error full-row" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
