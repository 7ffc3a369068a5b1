'use client';

import { tokenListResponseSchema, type TokenSummary } from '@ctscope/protocol';
import { useCallback, useEffect, useState } from 'react';
import { z } from 'zod';
import { apiCall } from '../admin/api-client';
import { formatAgo } from '../format';
import { useSessionUser } from '../live/use-session-user';
import { CreateTokenForm, type CreatedToken } from './create-token-form';
import { NewTokenPanel } from './new-token-panel';

const formatDate = (at: number) => new Date(at).toISOString().slice(0, 10);

/** Everyone's own API tokens (admins see and revoke all): create, see when each was last used, revoke. */
export function TokensManager() {
  const user = useSessionUser();
  const [tokens, setTokens] = useState<TokenSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [origin, setOrigin] = useState('');
  const [confirming, setConfirming] = useState<string | null>(null);

  const load = useCallback(async () => {
    const res = await apiCall(tokenListResponseSchema, 'GET', '/api/tokens');
    if (res.ok) setTokens(res.data.tokens);
    setError(res.ok ? null : res.message);
  }, []);
  useEffect(() => {
    setOrigin(window.location.origin);
    void load();
  }, [load]);

  async function revoke(token: TokenSummary) {
    setConfirming(null);
    const res = await apiCall(z.null(), 'DELETE', `/api/tokens/${token.id}`);
    setError(res.ok ? null : res.message);
    if (res.ok) setNotice(`“${token.name}” of ${token.username} is revoked; it no longer works.`);
    await load();
  }

  const others = tokens?.some((t) => t.username !== user?.username) ?? false;
  return (
    <>
      <div className="section-header">
        <h1>API tokens</h1>
        <span className="muted">For scripts and tools: each token acts as you, with the role you give it (never above yours), until it expires or is revoked.</span>
      </div>
      {user && (
        <CreateTokenForm
          myRole={user.role}
          onCreated={(c) => {
            setCreated(c);
            setNotice(null);
            void load();
          }}
        />
      )}
      {created && <NewTokenPanel created={created} origin={origin} onDone={() => setCreated(null)} />}
      {notice && <p className="notice-ok">{notice}</p>}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!tokens && !error && <div className="table-skeleton">Loading tokens…</div>}
      {tokens && tokens.length === 0 && <p className="muted">No API tokens yet.</p>}
      {tokens && tokens.length > 0 && (
        <table className="data-table" aria-label="API tokens">
          <thead>
            <tr>
              <th>Name</th>
              {(others || user?.role === 'admin') && <th>Owner</th>}
              <th>Role</th>
              <th>Created</th>
              <th>Expires</th>
              <th>Last used</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.id}>
                <td>
                  <strong>{t.name}</strong>
                </td>
                {(others || user?.role === 'admin') && <td>{t.username}</td>}
                <td>{t.role}</td>
                <td className="muted">{formatAgo(t.createdAt)}</td>
                <td className={t.expiresAt - Date.now() < 7 * 86_400_000 ? 'danger-text' : 'muted'}>{formatDate(t.expiresAt)}</td>
                <td className="muted">{t.lastUsedAt === null ? 'never' : formatAgo(t.lastUsedAt)}</td>
                <td className="row-actions">
                  {confirming === t.id ? (
                    <>
                      <button type="button" className="danger-button small-button" onClick={() => void revoke(t)}>
                        Revoke now
                      </button>
                      <button type="button" className="link-button" onClick={() => setConfirming(null)}>
                        Cancel
                      </button>
                    </>
                  ) : (
                    <button type="button" className="secondary-button small-button danger-text" onClick={() => setConfirming(t.id)} aria-label={`Revoke ${t.name} of ${t.username}`}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
