'use client';

import type { ManagedHost } from '@ctscope/protocol';
import { useState } from 'react';
import { formatAgo } from '../format';

interface Props {
  entry: ManagedHost;
  admin: boolean;
  onRevoke(hostId: string): Promise<void>;
  onNewToken(hostId: string): Promise<void>;
}

function Status({ entry }: { entry: ManagedHost }) {
  if (entry.revokedAt !== null) return <span className="badge badge-revoked">revoked</span>;
  return <span className={`badge ${entry.host.online ? 'badge-online' : 'badge-offline'}`}>{entry.host.online ? 'online' : 'offline'}</span>;
}

/** One enrolled host: status, agent, kernel, last seen; admins revoke it or issue a new token. */
export function ManagedHostRow({ entry, admin, onRevoke, onNewToken }: Props) {
  const { host } = entry;
  const [confirm, setConfirm] = useState<'revoke' | 'token' | null>(null);
  const [busy, setBusy] = useState(false);
  const act = async (action: (id: string) => Promise<void>) => {
    setBusy(true);
    await action(host.id);
    setBusy(false);
    setConfirm(null);
  };
  return (
    <tr data-host-id={host.id}>
      <td>
        <a href={`/hosts/${encodeURIComponent(host.id)}`}>{host.id}</a>
        <div className="muted small">{host.hostname}</div>
      </td>
      <td>
        <Status entry={entry} />
      </td>
      <td>{host.agent?.agentVersion ?? <span className="muted">—</span>}</td>
      <td className="mono-cell" title={host.agent?.kernel}>
        {host.agent?.kernel ?? <span className="muted">—</span>}
      </td>
      <td>{host.online ? 'now' : formatAgo(host.lastSeen)}</td>
      <td className="muted">{entry.revokedAt !== null ? `revoked ${formatAgo(entry.revokedAt)}` : entry.tokenIssuedAt !== null ? `issued ${formatAgo(entry.tokenIssuedAt)}` : '—'}</td>
      {admin && (
        <td className="row-actions">
          {confirm ? (
            <>
              <button type="button" className={confirm === 'revoke' ? 'danger-button small-button' : 'small-button'} disabled={busy} onClick={() => void act(confirm === 'revoke' ? onRevoke : onNewToken)}>
                {confirm === 'revoke' ? `Revoke ${host.id} now` : `Issue new token for ${host.id}`}
              </button>
              <button type="button" className="link-button" onClick={() => setConfirm(null)}>
                Cancel
              </button>
            </>
          ) : (
            <>
              <button type="button" className="secondary-button small-button" onClick={() => setConfirm('token')}>
                {entry.revokedAt !== null ? 'Re-enroll' : 'New token'}
              </button>
              {entry.revokedAt === null && (
                <button type="button" className="secondary-button small-button danger-text" onClick={() => setConfirm('revoke')}>
                  Revoke
                </button>
              )}
            </>
          )}
        </td>
      )}
    </tr>
  );
}
