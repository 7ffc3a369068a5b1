'use client';

import { viewListResponseSchema, viewResponseSchema, type SavedView } from '@ctscope/protocol';
import { z } from 'zod';
import { useCallback, useEffect, useState } from 'react';
import { apiCall } from '../admin/api-client';
import { formatAgo } from '../format';
import { pageLabel } from './describe-view';
import { ViewRow } from './view-row';

/** Every view this user can open: their own and the team's shared ones. */
export function ViewsList({ missing }: { missing: boolean }) {
  const [views, setViews] = useState<SavedView[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    const res = await apiCall(viewListResponseSchema, 'GET', '/api/views');
    if (res.ok) {
      setViews(res.data.views);
      setError(null);
    } else setError(res.message);
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const update = async (view: SavedView, patch: { name?: string; shared?: boolean }): Promise<string | null> => {
    const res = await apiCall(viewResponseSchema, 'PATCH', `/api/views/${view.id}`, patch);
    if (!res.ok) return res.message;
    setViews((list) => list?.map((v) => (v.id === view.id ? res.data.view : v)) ?? null);
    return null;
  };
  const remove = async (view: SavedView): Promise<string | null> => {
    const res = await apiCall(z.null(), 'DELETE', `/api/views/${view.id}`);
    if (!res.ok) return res.message;
    setViews((list) => list?.filter((v) => v.id !== view.id) ?? null);
    return null;
  };

  return (
    <>
      <div className="section-header">
        <h1>Views</h1>
        <span className="muted">Saved filters, columns and ranges — yours and the ones your team shares.</span>
      </div>
      {missing && <p className="notice">That view does not exist any more, or its owner keeps it private.</p>}
      {error && <p className="error">{error}</p>}
      {!views && !error && <div className="table-skeleton">Loading views…</div>}
      {views?.length === 0 && (
        <div className="empty">
          <h2>No saved views yet</h2>
          <p className="muted">
            Open <a href="/connections">Connections</a>, <a href="/events">Live events</a> or a host page, set the filter, sort and columns you want, then press <strong>Save view</strong>.
          </p>
        </div>
      )}
      {views && views.length > 0 && (
        <table className="data-table" aria-label="Saved views">
          <thead>
            <tr>
              <th>Name</th>
              <th>Page</th>
              <th>Host</th>
              <th>Filter</th>
              <th>Owner</th>
              <th>Sharing</th>
              <th>Updated</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {views.map((view) => (
              <ViewRow key={view.id} view={view} page={pageLabel(view.state.page)} updated={formatAgo(view.updatedAt)} onUpdate={update} onRemove={remove} />
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
