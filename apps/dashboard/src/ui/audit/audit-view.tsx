'use client';

import { AUDIT_PAGE_SIZES, auditFacetsSchema, auditPageSchema, type AuditFacets, type AuditPage } from '@ctscope/protocol';
import { useEffect, useMemo, useState } from 'react';
import { apiCall } from '../admin/api-client';
import { replaceSearchParams } from '../live/url-state';
import { AuditFilters, filterParams, type AuditFilterState } from './audit-filters';
import { AuditTable } from './audit-table';

/** The audit page: every change on every host and on the dashboard, filtered and paged by the server. */
export function AuditView({ initial, initialPage, initialPageSize }: { initial: AuditFilterState; initialPage: number; initialPageSize: number }) {
  const [filter, setFilter] = useState(initial);
  const [page, setPage] = useState(initialPage);
  const [pageSize, setPageSize] = useState(initialPageSize);
  const [data, setData] = useState<AuditPage | null>(null);
  const [facets, setFacets] = useState<AuditFacets | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);

  const params = useMemo(() => filterParams(filter), [filter]);
  const query = params.toString();

  useEffect(() => {
    void apiCall(auditFacetsSchema, 'GET', '/api/audit/facets').then((res) => res.ok && setFacets(res.data));
  }, []);
  useEffect(() => {
    let live = true;
    setLoading(true);
    const url = new URLSearchParams(query);
    url.set('page', String(page));
    url.set('pageSize', String(pageSize));
    void apiCall(auditPageSchema, 'GET', `/api/audit?${url.toString()}`).then((res) => {
      if (!live) return;
      setLoading(false);
      if (res.ok) setData(res.data);
      setError(res.ok ? null : res.message);
    });
    replaceSearchParams({ ...filter, page: page > 1 ? String(page) : null, pageSize: pageSize !== 50 ? String(pageSize) : null });
    return () => {
      live = false;
    };
  }, [query, page, pageSize, filter]);

  const change = (next: AuditFilterState) => {
    setFilter(next);
    setPage(1);
  };
  const pages = data ? Math.max(1, Math.ceil(data.total / data.pageSize)) : 1;
  const first = data && data.total > 0 ? (data.page - 1) * data.pageSize + 1 : 0;
  const last = data ? Math.min(data.total, data.page * data.pageSize) : 0;

  return (
    <>
      <div className="section-header">
        <h1>Audit</h1>
        <span className="muted">Every change on every host and on this dashboard, recorded before it was acknowledged.</span>
      </div>
      <AuditFilters filter={filter} facets={facets} onChange={change} />
      <div className="toolbar">
        <span className="window-status" aria-live="polite">
          {data ? `${first}–${last} of ${data.total}` : ''} {loading && <span className="muted small">Loading…</span>}
        </span>
        <div className="toolbar-actions">
          <a className="button-link" href={`/api/audit/export?format=csv&${query}`} download>
            Export CSV
          </a>
          <a className="button-link" href={`/api/audit/export?format=jsonl&${query}`} download>
            Export JSON lines
          </a>
        </div>
      </div>
      {error && <p className="error">{error}</p>}
      {data?.total === 0 && <div className="empty">No audit records match. Changes appear here as soon as someone deletes entries, applies rules or manages users, hosts and views.</div>}
      {data && data.rows.length > 0 && <AuditTable rows={data.rows} />}
      {data && data.total > 0 && (
        <nav className="pager" aria-label="Audit pages">
          <button type="button" className="secondary-button" disabled={page <= 1} onClick={() => setPage(page - 1)}>
            ← Newer
          </button>
          <span>
            Page {data.page} of {pages}
          </span>
          <button type="button" className="secondary-button" disabled={page >= pages} onClick={() => setPage(page + 1)}>
            Older →
          </button>
          <label className="muted small">
            Rows per page{' '}
            <select
              value={pageSize}
              onChange={(e) => {
                setPageSize(Number(e.target.value));
                setPage(1);
              }}
            >
              {AUDIT_PAGE_SIZES.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
        </nav>
      )}
    </>
  );
}
