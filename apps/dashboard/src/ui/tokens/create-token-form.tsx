'use client';

import { MAX_TOKEN_DAYS, ROLES, ROLE_RANK, createTokenResponseSchema, type Role } from '@ctscope/protocol';
import { useState, type FormEvent } from 'react';
import type { z } from 'zod';
import { apiCall } from '../admin/api-client';

const EXPIRY_CHOICES = [7, 30, 90, 365] as const;
export type CreatedToken = z.infer<typeof createTokenResponseSchema>;

/** A named token with a role up to the user's own and an expiry; the answer carries the secret once. */
export function CreateTokenForm({ myRole, onCreated }: { myRole: Role; onCreated(created: CreatedToken): void }) {
  const allowed = ROLES.filter((r) => ROLE_RANK[r] <= ROLE_RANK[myRole]);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [days, setDays] = useState<number>(90);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    const res = await apiCall(createTokenResponseSchema, 'POST', '/api/tokens', { name, role, expiresInDays: days });
    setBusy(false);
    if (!res.ok) return setError(res.message);
    setError(null);
    setName('');
    onCreated(res.data);
  }

  return (
    <form className="panel inline-fields" onSubmit={(e) => void submit(e)} aria-label="Create an API token">
      <h2>Create an API token</h2>
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={64} autoComplete="off" placeholder="e.g. grafana export" />
      </label>
      <label>
        Role
        <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {allowed.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </label>
      <label>
        Expires in
        <select value={days} onChange={(e) => setDays(Number(e.target.value))}>
          {EXPIRY_CHOICES.filter((d) => d <= MAX_TOKEN_DAYS).map((d) => (
            <option key={d} value={d}>
              {d === 365 ? '1 year' : `${d} days`}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={busy}>
        {busy ? 'Creating…' : 'Create token'}
      </button>
      {error && (
        <p className="error full-row" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
