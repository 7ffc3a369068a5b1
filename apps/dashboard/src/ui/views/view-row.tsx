'use client';

import type { SavedView } from '@ctscope/protocol';
import { useState, type FormEvent } from 'react';

interface Props {
  view: SavedView;
  page: string;
  updated: string;
  onUpdate(view: SavedView, patch: { name?: string; shared?: boolean }): Promise<string | null>;
  onRemove(view: SavedView): Promise<string | null>;
}

/** One saved view: open, copy its link, and (owner or admin) rename, share or delete it. */
export function ViewRow({ view, page, updated, onUpdate, onRemove }: Props) {
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(view.name);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);

  const run = async (action: Promise<string | null>) => setError(await action);
  const rename = async (e: FormEvent) => {
    e.preventDefault();
    const err = await onUpdate(view, { name });
    setError(err);
    if (!err) setRenaming(false);
  };
  const copy = async () => {
    await navigator.clipboard.writeText(`${window.location.origin}/views/${view.id}`).then(
      () => setCopied(true),
      () => setError('the browser refused the clipboard; copy the link from the address bar after opening the view'),
    );
    setTimeout(() => setCopied(false), 1500);
  };

  return (
    <tr data-view-id={view.id}>
      <td>
        {renaming ? (
          <form className="inline-form" onSubmit={(e) => void rename(e)}>
            <input aria-label="New name" value={name} onChange={(e) => setName(e.target.value)} maxLength={80} autoFocus />
            <button type="submit">Save</button>
            <button type="button" className="link-button" onClick={() => setRenaming(false)}>
              Cancel
            </button>
          </form>
        ) : (
          <a href={`/views/${view.id}`} className="view-name">
            {view.name}
          </a>
        )}
        {error && <div className="error small">{error}</div>}
      </td>
      <td>{page}</td>
      <td>{view.state.hostId ?? <span className="muted">first online</span>}</td>
      <td className="mono-cell" title={view.state.query}>
        {view.state.query || <span className="muted">—</span>}
      </td>
      <td>{view.owner ?? <span className="muted">deleted user</span>}</td>
      <td>
        {view.editable ? (
          <label className="check">
            <input type="checkbox" checked={view.shared} onChange={(e) => void run(onUpdate(view, { shared: e.target.checked }))} /> Shared
          </label>
        ) : (
          <span className={`badge ${view.shared ? 'badge-online' : 'badge-offline'}`}>{view.shared ? 'shared' : 'private'}</span>
        )}
      </td>
      <td className="muted">{updated}</td>
      <td className="row-actions">
        <button type="button" className="secondary-button small-button" onClick={() => void copy()}>
          {copied ? 'Copied' : 'Copy link'}
        </button>
        {view.editable && !renaming && (
          <button type="button" className="secondary-button small-button" onClick={() => setRenaming(true)}>
            Rename
          </button>
        )}
        {view.editable &&
          (confirming ? (
            <>
              <button type="button" className="danger-button small-button" onClick={() => void run(onRemove(view))}>
                Delete {view.name}
              </button>
              <button type="button" className="link-button" onClick={() => setConfirming(false)}>
                Keep
              </button>
            </>
          ) : (
            <button type="button" className="secondary-button small-button" onClick={() => setConfirming(true)}>
              Delete
            </button>
          ))}
      </td>
    </tr>
  );
}
