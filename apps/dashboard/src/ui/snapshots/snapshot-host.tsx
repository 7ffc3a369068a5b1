'use client';

import { aggregatesSchema, snapshotDetailSchema, sumCpuCounters, usagePercent, type Aggregates, type SnapshotDetail } from '@ctscope/protocol';
import { useEffect, useState } from 'react';
import { apiCall } from '../admin/api-client';
import { formatDateTime } from '../flow-format';
import { formatCount, formatPercent } from '../format';
import { SnapshotFlows } from './snapshot-flows';

function Ranked({ title, rows }: { title: string; rows: Aggregates['topSources'] }) {
  return (
    <div>
      <h3>{title}</h3>
      {rows.length === 0 ? (
        <p className="muted">none</p>
      ) : (
        <ol className="ranked">
          {rows.map((r) => (
            <li key={r.key}>
              <span className="ranked-key mono-cell">{r.key}</span> <span className="ranked-count">{formatCount(r.count)}</span>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

/**
 * An opened snapshot as a read-only host: what it is and lacks, the stats sample and alerts, who filled
 * the table, the kernel's table-full lines, rules, every nf_conntrack_* value, and its table. Nothing
 * here changes anything, and nothing updates: it is that moment.
 */
export function SnapshotHost({ id }: { id: string }) {
  const [detail, setDetail] = useState<SnapshotDetail | null>(null);
  const [aggregates, setAggregates] = useState<Aggregates | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void apiCall(snapshotDetailSchema, 'GET', `/api/snapshots/${encodeURIComponent(id)}`).then((res) => {
      if (!res.ok) return setError(res.message);
      setDetail(res.data);
      void apiCall(aggregatesSchema, 'GET', `/api/snapshots/${encodeURIComponent(id)}/aggregates?top=10`).then((agg) => agg.ok && setAggregates(agg.data));
    });
  }, [id]);

  if (error)
    return (
      <p className="error" role="alert">
        {error} <a href="/snapshots">Back to the snapshots</a>
      </p>
    );
  if (!detail) return <p className="muted">Opening the snapshot… (a large table takes a few seconds to load)</p>;
  const { snapshot, sections } = detail;
  const current = sections.stats.current;
  const totals = current ? sumCpuCounters(current.cpu) : null;
  return (
    <>
      <div className="section-header">
        <h1>
          {snapshot.host} <span className="badge badge-simulated">snapshot</span>
        </h1>
        <span className="muted">
          taken {formatDateTime(snapshot.createdAt)} · read-only · {snapshot.name}
        </span>
      </div>
      <p className="notice">
        A snapshot made by ctscope {sections.meta.agentVersion} ({sections.meta.via === 'cli' ? 'ctscope snapshot' : 'the agent'}) on kernel {sections.meta.kernel}
        {snapshot.filter ? `, of the entries matching "${snapshot.filter}"` : ', of the whole table'}: nothing on this page changes or updates.
      </p>
      {sections.meta.notes.length > 0 && (
        <ul className="muted" aria-label="not in this snapshot">
          {sections.meta.notes.map((n) => (
            <li key={n}>Not in this snapshot: {n}</li>
          ))}
        </ul>
      )}
      <div className="host-metrics">
        <div className="metric">
          <span className="metric-label">Entries in the file</span>
          <span className="metric-value">{formatCount(snapshot.flows)}</span>
        </div>
        {current && (
          <>
            <div className="metric">
              <span className="metric-label">Table then</span>
              <span className="metric-value">
                {formatCount(current.count)} / {formatCount(current.max)} ({formatPercent(usagePercent(current))})
              </span>
            </div>
            <div className="metric">
              <span className="metric-label">insert_failed · drop · early_drop</span>
              <span className="metric-value">{totals ? `${totals.insert_failed} · ${totals.drop} · ${totals.early_drop}` : '—'}</span>
            </div>
          </>
        )}
      </div>
      <section className="panel" aria-label="alerts">
        <h2>Active alerts then</h2>
        {sections.alerts.length === 0 ? (
          <p className="muted">none recorded</p>
        ) : (
          sections.alerts.map((a) => (
            <p key={a.id} className={`alert alert-${a.severity}`}>
              {a.message}
            </p>
          ))
        )}
      </section>
      {aggregates && (
        <section className="panel breakdowns" aria-label="who filled the table">
          <h2>Who filled the table</h2>
          <Ranked title="By protocol" rows={aggregates.byProtocol} />
          <Ranked title="By state" rows={aggregates.byState} />
          <Ranked title="Top sources" rows={aggregates.topSources} />
          <Ranked title="Top destinations" rows={aggregates.topDestinations} />
          <Ranked title="Top destination ports" rows={aggregates.topDestinationPorts} />
        </section>
      )}
      <SnapshotFlows id={snapshot.id} total={snapshot.flows} />
      <section className="panel" aria-label="kernel log">
        <h2>Kernel &quot;table full&quot; lines</h2>
        {sections.kmsg.length === 0 ? <p className="muted">none in the kernel log then</p> : <pre className="conntrack-command">{sections.kmsg.map((k) => `[${(k.usec / 1e6).toFixed(6)}] ${k.message}`).join('\n')}</pre>}
      </section>
      <section className="panel" aria-label="rules">
        <h2>Rules</h2>
        <h3>Ours ({sections.rules?.backend ?? 'not read'})</h3>
        {sections.rules && sections.rules.groups.length > 0 ? (
          <pre className="conntrack-command">{sections.rules.groups.flatMap((g) => g.rules.map((r) => `${g.id}  ${r.table} ${r.chain}: ${r.text}  (${r.packets} packets)`)).join('\n')}</pre>
        ) : (
          <p className="muted">none</p>
        )}
        <h3>Conntrack lines of the whole ruleset</h3>
        {sections.ruleset_lines.length === 0 ? <p className="muted">none</p> : <pre className="conntrack-command">{sections.ruleset_lines.map((l) => `${l.source}: ${l.line}`).join('\n')}</pre>}
      </section>
      <section className="panel" aria-label="settings">
        <h2>nf_conntrack settings then</h2>
        <table className="data-table">
          <thead>
            <tr>
              <th>Parameter</th>
              <th>Value</th>
              <th>Default</th>
              <th>Drift</th>
            </tr>
          </thead>
          <tbody>
            {sections.sysctls.map((p) => (
              <tr key={p.name}>
                <td className="mono-cell">{p.name}</td>
                <td>{p.display}</td>
                <td>{p.defaultDisplay ?? '—'}</td>
                <td className="small">{p.drift.summary}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}
