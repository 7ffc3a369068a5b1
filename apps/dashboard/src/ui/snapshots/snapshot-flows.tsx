'use client';

import { SORT_COLUMNS, windowResultSchema, type SortColumn, type WindowResult } from '@ctscope/protocol';
import { useEffect, useState, type FormEvent } from 'react';
import { apiCall } from '../admin/api-client';
import { formatSeconds, formatTuple } from '../flow-format';
import { formatCount } from '../format';

const PAGE = 50;

/**
 * The snapshot's table: the query syntax (or pasted conntrack arguments), a sort on any column and pages
 * of rows, computed on the server by the same code as a live host's explorer, at the snapshot's time.
 */
export function SnapshotFlows({ id, total }: { id: string; total: number }) {
  const [draft, setDraft] = useState('');
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<SortColumn>('timeout');
  const [desc, setDesc] = useState(true);
  const [offset, setOffset] = useState(0);
  const [result, setResult] = useState<WindowResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    let live = true;
    setLoading(true);
    const params = new URLSearchParams({ q: query, sort, desc: desc ? '1' : '0', offset: String(offset), limit: String(PAGE) });
    void apiCall(windowResultSchema, 'GET', `/api/snapshots/${id}/window?${params.toString()}`).then((res) => {
      if (!live) return;
      setLoading(false);
      if (res.ok) {
        setResult(res.data);
        setError(null);
      } else setError(res.message);
    });
    return () => {
      live = false;
    };
  }, [id, query, sort, desc, offset]);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setOffset(0);
    setQuery(draft);
  };

  return (
    <section className="panel" aria-label="snapshot connections">
      <div className="section-header">
        <h2>Connections</h2>
        <span className="muted" aria-live="polite">
          {loading ? 'Loading…' : result ? `${formatCount(result.total)} of ${formatCount(total)} entries match` : ''}
        </span>
      </div>
      <form className="query-bar" onSubmit={apply}>
        <input className="query-input" aria-label="Query" placeholder="tcp dport:443 src:10.0.0.0/8 !assured, or -p tcp --dport 443" value={draft} onChange={(e) => setDraft(e.target.value)} />
        <label>
          Sort{' '}
          <select
            value={sort}
            onChange={(e) => {
              setSort(e.target.value as SortColumn);
              setOffset(0);
            }}
          >
            {SORT_COLUMNS.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input
            type="checkbox"
            checked={desc}
            onChange={(e) => {
              setDesc(e.target.checked);
              setOffset(0);
            }}
          />{' '}
          descending
        </label>
        <button type="submit">Apply</button>
      </form>
      {error && (
        <p className="query-error" role="alert">
          {error}
        </p>
      )}
      {result && (
        <>
          <table className="data-table" aria-label="snapshot entries">
            <thead>
              <tr>
                <th>Proto</th>
                <th>Original</th>
                <th>Reply</th>
                <th>State</th>
                <th>Status</th>
                <th>Timeout</th>
                <th>Mark</th>
                <th>Id</th>
              </tr>
            </thead>
            <tbody>
              {result.rows.map((row) => (
                <tr key={row.key} data-id={row.id}>
                  <td>{row.proto}</td>
                  <td className="mono-cell">{formatTuple(row.orig)}</td>
                  <td className="mono-cell">{formatTuple(row.reply)}</td>
                  <td>{row.state ?? ''}</td>
                  <td className="small">{row.status.join(' ')}</td>
                  <td>{formatSeconds(row.timeout)}</td>
                  <td>{row.mark ?? ''}</td>
                  <td className="mono-cell">{row.id ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="pager">
            <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
              Previous
            </button>
            <span className="muted">
              {result.total === 0 ? 'no entries' : `${offset + 1}–${Math.min(offset + PAGE, result.total)} of ${formatCount(result.total)}`}
            </span>
            <button type="button" disabled={offset + PAGE >= result.total} onClick={() => setOffset(offset + PAGE)}>
              Next
            </button>
          </div>
        </>
      )}
    </section>
  );
}
