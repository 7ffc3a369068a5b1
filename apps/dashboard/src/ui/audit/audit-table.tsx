'use client';

import { describeAuditDetail, type AuditRow } from '@ctscope/protocol';

const time = (at: number) => new Date(at).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });

function Change({ row }: { row: AuditRow }) {
  const d = describeAuditDetail(row.detail);
  if (!d.before && !d.after) return <span className="muted">—</span>;
  return (
    <span className="audit-change">
      {d.before ? <code title={d.before}>{d.before}</code> : <span className="muted">∅</span>}
      <span aria-label="becomes"> → </span>
      {d.after ? <code title={d.after}>{d.after}</code> : <span className="muted">∅</span>}
    </span>
  );
}

/** One page of audit rows: who, when, target, what, before → after, result. */
export function AuditTable({ rows }: { rows: readonly AuditRow[] }) {
  return (
    <table className="data-table audit-table" aria-label="Audit records">
      <thead>
        <tr>
          <th>When</th>
          <th>User</th>
          <th>Host / target</th>
          <th>Action</th>
          <th>What</th>
          <th>Before → after</th>
          <th>Result</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => {
          const what = describeAuditDetail(row.detail).what;
          return (
            <tr key={row.id} data-audit-id={row.id}>
              <td className="nowrap">{time(row.at)}</td>
              <td>{row.actor}</td>
              <td className="mono-cell">{row.target}</td>
              <td className="mono-cell">{row.action}</td>
              <td className="mono-cell clip" title={what}>
                {what || <span className="muted">—</span>}
              </td>
              <td className="clip">
                <Change row={row} />
              </td>
              <td>
                <span className={`badge ${row.result === 'ok' ? 'badge-online' : 'badge-error'}`}>{row.result}</span>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
