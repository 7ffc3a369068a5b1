'use client';

import type { RuleList } from '@ctscope/protocol';
import { useState } from 'react';
import { formatBytes } from '../flow-format';
import { formatCount } from '../format';

interface Props {
  list: RuleList | null;
  error: string | null;
  mayChange: boolean;
  busy: boolean;
  onRemove(id: string): void;
  onRemoveAll(): void;
}

/** The rule as listed, without the counters (shown in their own columns) and our id comment (shown as Rule). */
const ruleText = (text: string): string =>
  text
    .replace(/\bcounter packets \d+ bytes \d+ ?/, '')
    .replace(/ ?comment "ctscope:[0-9a-f]+"/, '')
    .replace(/ ?-m comment --comment "?ctscope:[0-9a-f]+"?/, '')
    .trim();

/** Our rules (table/chains ctscope owns), grouped per rule id, with live counters and Remove. */
export function RuleListPanel({ list, error, mayChange, busy, onRemove, onRemoveAll }: Props) {
  const [confirmAll, setConfirmAll] = useState(false);
  const groups = list?.groups ?? [];
  return (
    <section className="panel rule-list" aria-labelledby="rule-list-title">
      <div className="panel-head">
        <h2 id="rule-list-title">Our rules</h2>
        <span className="muted small panel-note">counters refresh every 5 s</span>
        {mayChange && groups.length > 0 && !confirmAll && (
          <button type="button" className="danger-outline small-button" onClick={() => setConfirmAll(true)} disabled={busy}>
            Remove all
          </button>
        )}
      </div>
      {confirmAll && (
        <div className="notice-warn confirm-all" role="alertdialog" aria-label="Remove all rules">
          Remove all {groups.length} ctscope rule{groups.length === 1 ? '' : 's'} from this host? Your own rules are not touched.{' '}
          <button
            type="button"
            className="danger small-button"
            onClick={() => {
              setConfirmAll(false);
              onRemoveAll();
            }}
          >
            Yes, remove all
          </button>{' '}
          <button type="button" className="secondary small-button" onClick={() => setConfirmAll(false)}>
            Keep them
          </button>
        </div>
      )}
      {error && <p className="error">{error}</p>}
      {!list && !error && <p className="muted">Reading the rules…</p>}
      {list && groups.length === 0 && <p className="muted">No ctscope rules on this host.</p>}
      {groups.length > 0 && (
        <table className="data-table rules-table">
          <thead>
            <tr>
              <th>Rule</th>
              <th>Chain and rule</th>
              <th className="num">Packets</th>
              <th className="num">Bytes</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {groups.map((g) => (
              <tr key={g.id} data-rule={g.id}>
                <td className="mono-cell">{g.id}</td>
                <td className="rule-lines">
                  {g.rules.map((r) => (
                    <div key={`${r.table}-${r.chain}-${r.handle}`} className="rule-line">
                      <span className="rule-chain">
                        {r.table} {r.chain}
                      </span>
                      <code className="rule-text">{ruleText(r.text)}</code>
                      <span className="rule-count muted small">{formatCount(r.packets)} pkts</span>
                    </div>
                  ))}
                </td>
                <td className="num mono-cell" data-testid="rule-packets">
                  {formatCount(g.packets)}
                </td>
                <td className="num mono-cell">{formatBytes(g.bytes)}</td>
                <td>
                  {mayChange && (
                    <button type="button" className="danger-outline small-button" onClick={() => onRemove(g.id)} disabled={busy} aria-label={`Remove rule ${g.id}`}>
                      Remove
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
