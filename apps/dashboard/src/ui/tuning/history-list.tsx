'use client';

import type { SysctlHistoryEntry } from '@ctscope/protocol';
import { useState } from 'react';
import { displayValue, shortName } from './drafts';
import { ParamHistoryChart } from './param-history-chart';

interface Props {
  entries: readonly SysctlHistoryEntry[] | null;
  error: string | null;
  names: readonly string[];
  /** The parameter's value now, where its chart ends. */
  valueOf(name: string): number | null;
}

/** Changes from the agent's audit log, newest first, filterable by parameter; one parameter's also as a chart. */
export function HistoryList({ entries, error, names, valueOf }: Props) {
  const [filter, setFilter] = useState('');
  const shown = (entries ?? []).filter((e) => filter === '' || e.changes.some((c) => c.name === filter));
  const timeOf = new Map((entries ?? []).map((e) => [e.id, e.time]));
  const undone = (id: string) => {
    const time = timeOf.get(id);
    return time === undefined ? 'an earlier change' : `the change at ${new Date(time).toLocaleString()}`;
  };
  return (
    <section className="panel history" aria-labelledby="history-title">
      <div className="panel-head">
        <h2 id="history-title">History</h2>
        <label className="inline-label">
          <span className="muted small">Parameter</span>
          <select aria-label="History of parameter" value={filter} onChange={(e) => setFilter(e.target.value)}>
            <option value="">all parameters</option>
            {names.map((n) => (
              <option key={n} value={n}>
                {shortName(n)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {error && <p className="error">{error}</p>}
      {entries === null && !error && <p className="muted">Loading history…</p>}
      {entries !== null && filter !== '' && <ParamHistoryChart entries={entries} name={filter} current={valueOf(filter)} />}
      {entries !== null && shown.length === 0 && <p className="muted">No changes recorded{filter ? ' for this parameter' : ''}.</p>}
      <ol className="history-list" aria-label="changes">
        {shown.map((e, i) => (
          <li key={`${e.time}-${i}`} className={`history-entry history-${e.result}`}>
            <div className="history-meta small">
              <time dateTime={e.time}>{new Date(e.time).toLocaleString()}</time> · {e.user} via {e.via} · {e.action}
              {e.rollbackOf !== undefined && <> · rollback of {undone(e.rollbackOf)}</>} · <span className={`result result-${e.result}`}>{e.result}</span>
            </div>
            <ul>
              {e.changes
                .filter((c) => filter === '' || c.name === filter)
                .map((c) => (
                  <li key={c.name}>
                    <code>{shortName(c.name)}</code>: {displayValue(c.name, c.before)} → {displayValue(c.name, c.after)}
                  </li>
                ))}
            </ul>
            {e.error && <p className="small danger-text">{e.error}</p>}
          </li>
        ))}
      </ol>
    </section>
  );
}
