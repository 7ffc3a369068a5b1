'use client';

import { MIN_PASSWORD_LENGTH, ROLES, type Role, type UserSummary } from '@ctscope/protocol';
import { useState, type FormEvent } from 'react';
import { formatAgo } from '../format';

interface Props {
  user: UserSummary;
  isMe: boolean;
  onRole(user: UserSummary, role: Role): Promise<string | null>;
  onReset(user: UserSummary, password: string): Promise<string | null>;
  onDelete(user: UserSummary): Promise<string | null>;
}

/** The provider's host and path (https://sso.example/realms/ops → sso.example/realms/ops). */
const ssoHost = (issuer: string) => issuer.replace(/^https?:\/\//, '').replace(/\/$/, '');

/** One account: its role (changeable), a password reset, and deletion (never yourself). */
export function UserRow({ user, isMe, onRole, onReset, onDelete }: Props) {
  const [mode, setMode] = useState<'idle' | 'reset' | 'delete'>('idle');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const settle = (err: string | null, success: string) => {
    setError(err);
    setDone(err ? null : success);
    if (!err) setMode('idle');
  };
  const reset = async (e: FormEvent) => {
    e.preventDefault();
    settle(await onReset(user, password), `password reset; ${user.username}'s sessions ended`);
    setPassword('');
  };

  return (
    <tr data-username={user.username}>
      <td>
        <strong>{user.username}</strong> {isMe && <span className="muted small">(you)</span>}
        {error && <div className="error small">{error}</div>}
        {done && <div className="ok-text small">{done}</div>}
      </td>
      <td>
        <select aria-label={`Role of ${user.username}`} value={user.role} disabled={isMe} onChange={(e) => void onRole(user, e.target.value as Role).then((err) => settle(err, 'role changed'))}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </td>
      <td className="muted" title={user.ssoIssuer ? 'The role follows the provider’s groups at each sign-in' : undefined}>
        {user.ssoIssuer ? `SSO: ${ssoHost(user.ssoIssuer)}` : 'password'}
      </td>
      <td className="muted">{formatAgo(user.createdAt)}</td>
      <td className="row-actions">
        {mode === 'reset' && (
          <form className="inline-form" onSubmit={(e) => void reset(e)}>
            <input type="password" aria-label={`New password for ${user.username}`} value={password} onChange={(e) => setPassword(e.target.value)} minLength={MIN_PASSWORD_LENGTH} required autoComplete="new-password" autoFocus placeholder="new password" />
            <button type="submit" className="small-button">
              Set password
            </button>
            <button type="button" className="link-button" onClick={() => setMode('idle')}>
              Cancel
            </button>
          </form>
        )}
        {mode === 'delete' && (
          <>
            <button type="button" className="danger-button small-button" onClick={() => void onDelete(user).then((err) => settle(err, 'deleted'))}>
              Delete {user.username}
            </button>
            <button type="button" className="link-button" onClick={() => setMode('idle')}>
              Keep
            </button>
          </>
        )}
        {mode === 'idle' && (
          <>
            {!user.ssoIssuer && (
              <button type="button" className="secondary-button small-button" onClick={() => setMode('reset')}>
                Reset password
              </button>
            )}
            {!isMe && (
              <button type="button" className="secondary-button small-button danger-text" onClick={() => setMode('delete')}>
                Delete
              </button>
            )}
          </>
        )}
      </td>
    </tr>
  );
}
