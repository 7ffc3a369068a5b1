'use client';

import type { HostSummary } from '@ctscope/protocol';
import type { ReactNode } from 'react';
import { formatAgo } from '../format';
import { SimulatedBadge } from '../simulated-badge';
import { CONNECTION_TEXT, type ConnectionState } from './use-live-socket';

interface Props {
  title: string;
  hosts: HostSummary[] | null;
  hostId: string | null;
  onHost(id: string): void;
  connection: ConnectionState;
  /** Buttons for this host, beside the picker. */
  actions?: ReactNode;
}

/** Page title, host picker and connection status; warns when the chosen host is offline. */
export function HostBar({ title, hosts, hostId, onHost, connection, actions }: Props) {
  const host = hosts?.find((h) => h.id === hostId) ?? null;
  return (
    <>
      <div className="section-header host-bar">
        <h1 id="page-title">{title}</h1>
        <SimulatedBadge host={host} />
        {hosts && hosts.length > 0 && (
          <label className="host-picker">
            <span className="muted small">Host</span>
            <select value={hostId ?? ''} onChange={(e) => onHost(e.target.value)}>
              {hostId && !host && <option value={hostId}>{hostId} (unknown)</option>}
              {hosts.map((h) => (
                <option key={h.id} value={h.id}>
                  {h.hostname}
                  {h.online ? '' : ' (offline)'}
                </option>
              ))}
            </select>
          </label>
        )}
        {actions}
        <span className={`connection connection-${connection}`} role="status">
          {CONNECTION_TEXT[connection]}
        </span>
      </div>
      {host && !host.online && (
        <div className="banner banner-offline" role="alert">
          <strong>{host.hostname} is offline</strong> (last seen {formatAgo(host.lastSeen)}). What is shown is the last data received; it updates again when the agent
          reconnects.
        </div>
      )}
      {hosts && hostId && !host && (
        <div className="banner banner-offline" role="alert">
          This dashboard knows no host called <code>{hostId}</code>. Pick one above or add it on the overview.
        </div>
      )}
    </>
  );
}
