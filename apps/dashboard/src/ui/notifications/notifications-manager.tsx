'use client';

import { destinationListResponseSchema, destinationResponseSchema, testSendResponseSchema, type DestinationSummary } from '@ctscope/protocol';
import { useCallback, useEffect, useState } from 'react';
import { z } from 'zod';
import { apiCall } from '../admin/api-client';
import { DestinationForm, type DestinationDraft } from './destination-form';
import { DestinationRow } from './destination-row';

/** Admins: where alerts are sent (webhook, Slack, Alertmanager), how they are routed, and whether delivery works. */
export function NotificationsManager() {
  const [destinations, setDestinations] = useState<DestinationSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<DestinationSummary | 'new' | null>(null);

  const load = useCallback(async () => {
    const res = await apiCall(destinationListResponseSchema, 'GET', '/api/notifications');
    if (res.ok) setDestinations(res.data.destinations);
    setError(res.ok ? null : res.status === 403 ? 'Only admins manage notifications. Ask an admin to change your role.' : res.message);
  }, []);
  useEffect(() => {
    void load();
    // Delivery status (queued, last failure) changes on its own: look again every few seconds.
    const timer = setInterval(() => void load(), 5_000);
    return () => clearInterval(timer);
  }, [load]);

  const save = async (draft: DestinationDraft): Promise<string | null> => {
    const res = editing && editing !== 'new' ? await apiCall(destinationResponseSchema, 'PUT', `/api/notifications/${editing.id}`, draft) : await apiCall(destinationResponseSchema, 'POST', '/api/notifications', draft);
    if (!res.ok) return res.message;
    setEditing(null);
    await load();
    return null;
  };
  const remove = async (d: DestinationSummary) => {
    const res = await apiCall(z.null(), 'DELETE', `/api/notifications/${d.id}`);
    await load();
    return res.ok ? null : res.message;
  };
  const test = async (d: DestinationSummary) => {
    const res = await apiCall(testSendResponseSchema, 'POST', `/api/notifications/${d.id}/test`);
    await load();
    if (!res.ok) return { ok: false, message: res.message };
    return res.data.ok ? { ok: true, message: 'test notification delivered' } : { ok: false, message: res.data.error ?? 'delivery failed' };
  };

  return (
    <>
      <div className="section-header">
        <h1>Notifications</h1>
        <span className="muted">Alerts raised by the agents, sent to your webhook, Slack or Alertmanager; resolved when they clear.</span>
      </div>
      {error && <p className="error">{error}</p>}
      {destinations && editing === null && (
        <p>
          <button type="button" onClick={() => setEditing('new')}>
            Add a destination
          </button>
        </p>
      )}
      {editing !== null && <DestinationForm key={editing === 'new' ? 'new' : editing.id} existing={editing === 'new' ? null : editing} onSave={save} onCancel={() => setEditing(null)} />}
      {!destinations && !error && <div className="table-skeleton">Loading destinations…</div>}
      {destinations && destinations.length === 0 && editing === null && <p className="muted">No destinations yet: alerts show on the dashboard only. Add a webhook, a Slack incoming webhook or an Alertmanager.</p>}
      {destinations && destinations.length > 0 && (
        <table className="data-table" aria-label="Notification destinations">
          <thead>
            <tr>
              <th>Destination</th>
              <th>Routing</th>
              <th>Delivery</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {destinations.map((d) => (
              <DestinationRow key={d.id} destination={d} onEdit={() => setEditing(d)} onDelete={remove} onTest={test} />
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
