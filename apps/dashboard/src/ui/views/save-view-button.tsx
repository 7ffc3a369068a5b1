'use client';

import { hostSummarySchema, viewResponseSchema, type SavedView, type ViewPage, type ViewState } from '@ctscope/protocol';
import { z } from 'zod';
import { useState, type FormEvent } from 'react';
import { apiCall } from '../admin/api-client';
import { Modal } from '../connections/modal';
import { CopyCommand } from '../copy-command';
import { chooseHost } from '../live/choose-host';
import { currentViewState } from './current-view-state';
import { describeViewState } from './describe-view';

/** "Save view": names the page's current state (host, filter, columns, sort, range) and keeps it, private or shared. */
export function SaveViewButton({ page, hostId = null }: { page: ViewPage; hostId?: string | null }) {
  const [state, setState] = useState<ViewState | null>(null);
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [shared, setShared] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<SavedView | null>(null);

  const start = async () => {
    const current = currentViewState(page, hostId);
    // Without a host in the address the page shows the first online one: the view names it.
    if (current && current.hostId === null) {
      const hosts = await apiCall(z.object({ hosts: z.array(hostSummarySchema) }), 'GET', '/api/hosts');
      current.hostId = hosts.ok ? chooseHost(hosts.data.hosts, null) : null;
    }
    setState(current);
    setSaved(null);
    setError(null);
    setOpen(true);
  };
  const close = () => setOpen(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!state) return;
    setBusy(true);
    const res = await apiCall(viewResponseSchema, 'POST', '/api/views', { name, shared, state });
    setBusy(false);
    if (res.ok) {
      setSaved(res.data.view);
      setName('');
    } else setError(res.message);
  }

  return (
    <>
      <button type="button" className="secondary-button" onClick={() => void start()}>
        Save view
      </button>
      {open && (
        <Modal title={saved ? 'View saved' : 'Save this view'} onClose={close}>
          {saved ? (
            <div className="save-view-done">
              <p>
                <strong>{saved.name}</strong> is saved{saved.shared ? ' and shared with everyone' : ' (only you see it)'}. Its link:
              </p>
              <CopyCommand command={`${window.location.origin}/views/${saved.id}`} label="Copy link" />
              <div className="modal-actions">
                <a href="/views">All views</a>
                <button type="button" onClick={close}>
                  Done
                </button>
              </div>
            </div>
          ) : state ? (
            <form className="form-grid" onSubmit={(e) => void submit(e)}>
              <label>
                Name
                <input value={name} onChange={(e) => setName(e.target.value)} maxLength={80} required autoFocus placeholder="e.g. HTTPS to the load balancer" />
              </label>
              <label className="check">
                <input type="checkbox" checked={shared} onChange={(e) => setShared(e.target.checked)} /> Share with everyone on this dashboard
              </label>
              <dl className="view-summary">
                {describeViewState(state).map(([key, value]) => (
                  <div key={key}>
                    <dt>{key}</dt>
                    <dd>{value}</dd>
                  </div>
                ))}
              </dl>
              {error && (
                <p className="error" role="alert">
                  {error}
                </p>
              )}
              <div className="modal-actions">
                <button type="button" className="secondary-button" onClick={close}>
                  Cancel
                </button>
                <button type="submit" disabled={busy || name.trim() === ''}>
                  {busy ? 'Saving…' : 'Save view'}
                </button>
              </div>
            </form>
          ) : (
            <p className="error">This page's state cannot be saved as a view (the filter may be too long).</p>
          )}
        </Modal>
      )}
    </>
  );
}
