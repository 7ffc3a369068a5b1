'use client';

import { enrollmentResponseSchema, managedHostListResponseSchema, type Enrollment, type ManagedHost } from '@ctscope/protocol';
import { z } from 'zod';
import { useCallback, useEffect, useState } from 'react';
import { apiCall } from '../admin/api-client';
import { useSessionUser } from '../live/use-session-user';
import { AddHostForm } from './add-host-form';
import { AgentDownloadsPanel } from './agent-downloads';
import { EnrollmentPanel } from './enrollment-panel';
import { ManagedHostRow } from './managed-host-row';

const REFRESH_MS = 3000;

/** The hosts page: every enrolled host with its status; admins add, revoke and re-issue tokens. */
export function HostsManager() {
  const user = useSessionUser();
  const admin = user?.role === 'admin';
  const [hosts, setHosts] = useState<ManagedHost[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [enrollment, setEnrollment] = useState<Enrollment | null>(null);

  const load = useCallback(async () => {
    const res = await apiCall(managedHostListResponseSchema, 'GET', '/api/hosts/managed');
    if (res.ok) setHosts(res.data.hosts);
    setError(res.ok ? null : res.message);
  }, []);
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  const added = (e: Enrollment) => {
    setEnrollment(e);
    setNotice(null);
    void load();
  };
  const revoke = async (hostId: string) => {
    const res = await apiCall(z.object({ host: z.unknown() }), 'POST', `/api/hosts/${encodeURIComponent(hostId)}/revoke`);
    setNotice(res.ok ? `${hostId} is revoked: its agent was disconnected and will be refused until you issue a new token.` : null);
    setError(res.ok ? null : res.message);
    await load();
  };
  const newToken = async (hostId: string) => {
    const res = await apiCall(enrollmentResponseSchema, 'POST', `/api/hosts/${encodeURIComponent(hostId)}/token`);
    if (res.ok) setEnrollment(res.data.enrollment);
    setNotice(null);
    setError(res.ok ? null : res.message);
    await load();
  };

  return (
    <>
      <div className="section-header">
        <h1>Hosts</h1>
        <span className="muted">Agents dial out to this dashboard with a per-host token.</span>
      </div>
      {admin && !enrollment && <AgentDownloadsPanel />}
      {admin && !enrollment && <AddHostForm onAdded={added} />}
      {enrollment && <EnrollmentPanel enrollment={enrollment} onDone={() => setEnrollment(null)} />}
      {notice && <p className="notice-ok">{notice}</p>}
      {error && <p className="error">{error}</p>}
      {!hosts && !error && <div className="table-skeleton">Loading hosts…</div>}
      {hosts?.length === 0 && <div className="empty">No hosts yet. {admin ? 'Add one above.' : 'Ask an admin to add one.'}</div>}
      {hosts && hosts.length > 0 && (
        <table className="data-table" aria-label="Hosts">
          <thead>
            <tr>
              <th>Host</th>
              <th>Status</th>
              <th>Agent</th>
              <th>Kernel</th>
              <th>Last seen</th>
              <th>Token</th>
              {admin && <th aria-label="Actions" />}
            </tr>
          </thead>
          <tbody>
            {hosts.map((entry) => (
              <ManagedHostRow key={entry.host.id} entry={entry} admin={admin} onRevoke={revoke} onNewToken={newToken} />
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
