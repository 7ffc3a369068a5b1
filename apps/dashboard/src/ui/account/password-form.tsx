'use client';

import { MIN_PASSWORD_LENGTH } from '@ctscope/protocol';
import { z } from 'zod';
import { useState, type FormEvent } from 'react';
import { apiCall } from '../admin/api-client';
import { useSessionUser } from '../live/use-session-user';

/** Every user changes their own password with the current one; their other sessions end. */
export function PasswordForm() {
  const user = useSessionUser();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (next !== repeat) return setError('the new passwords differ');
    setBusy(true);
    const res = await apiCall(z.null(), 'POST', '/api/auth/password', { currentPassword: current, newPassword: next });
    setBusy(false);
    setError(res.ok ? null : res.message);
    setDone(res.ok);
    if (res.ok) [setCurrent, setNext, setRepeat].forEach((set) => set(''));
  }

  return (
    <>
      <div className="section-header">
        <h1>Account</h1>
        {user && (
          <span className="muted">
            Signed in as <strong>{user.username}</strong> ({user.role})
          </span>
        )}
      </div>
      <form className="panel form-grid narrow" onSubmit={(e) => void submit(e)} aria-label="Change your password">
        <h2>Change your password</h2>
        <label>
          Current password
          <input type="password" value={current} onChange={(e) => setCurrent(e.target.value)} required autoComplete="current-password" />
        </label>
        <label>
          New password
          <input type="password" value={next} onChange={(e) => setNext(e.target.value)} required minLength={MIN_PASSWORD_LENGTH} autoComplete="new-password" placeholder={`at least ${MIN_PASSWORD_LENGTH} characters`} />
        </label>
        <label>
          New password, again
          <input type="password" value={repeat} onChange={(e) => setRepeat(e.target.value)} required minLength={MIN_PASSWORD_LENGTH} autoComplete="new-password" />
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {done && <p className="notice-ok">Password changed. Your other sessions have been signed out.</p>}
        <div>
          <button type="submit" disabled={busy}>
            {busy ? 'Changing…' : 'Change password'}
          </button>
        </div>
      </form>
    </>
  );
}
