'use client';

import type { RulePreview } from '@ctscope/protocol';
import type { ReactNode } from 'react';
import { CopyBlock } from '../tuning/copy-block';
import { SampleTable } from '../tuning/sample-table';
import { formatCount } from '../format';

interface Props {
  preview: RulePreview;
  withCompanions: boolean;
  onWithCompanions(value: boolean): void;
  mayChange: boolean;
  busy: boolean;
  onApply(): void;
  /** Shown above the Apply button: the "undo unless confirmed" choice. */
  applyOptions?: ReactNode;
}

const SYNTAX_NAME = { nft: 'nftables', iptables: 'iptables' } as const;

/** Commands in both syntaxes, companions, notes, impact on the current table and warnings, then Apply. */
export function RulePreviewPanel({ preview, withCompanions, onWithCompanions, mayChange, busy, onApply, applyOptions }: Props) {
  const other = preview.syntax === 'nft' ? 'iptables' : 'nft';
  const commands = (syntax: 'nft' | 'iptables', r: { nftCommands: string[]; iptablesCommands: string[] }) => (syntax === 'nft' ? r.nftCommands : r.iptablesCommands);
  const impact = preview.impact;
  return (
    <section className="panel rule-preview" aria-labelledby="rule-preview-title">
      <h2 id="rule-preview-title">Preview</h2>
      <p>
        <strong>{preview.summary}</strong> <span className="muted small">rule id {preview.id}</span>
      </p>

      {preview.warnings.length > 0 && (
        <ul className="rule-warnings" aria-label="warnings">
          {preview.warnings.map((w) => (
            <li key={w.code} className={`rule-warning severity-${w.severity}`}>
              <span className={`badge badge-${w.severity}`}>{w.severity}</span> {w.message}
            </li>
          ))}
        </ul>
      )}

      {impact && (
        <div className="impact" aria-label="impact">
          <h3>Impact on the current table</h3>
          <p data-testid="impact-count">
            {impact.stopsTracking ? 'Would stop tracking' : 'Matches'} <strong>{formatCount(impact.matchedCount)}</strong> current entr{impact.matchedCount === 1 ? 'y' : 'ies'} ({formatCount(impact.matchedByFamily.ipv4)} IPv4,{' '}
            {formatCount(impact.matchedByFamily.ipv6)} IPv6)
            {impact.otherFamilyCount > 0 && <span className="muted">; {formatCount(impact.otherFamilyCount)} more in the family this rule does not cover</span>}.
          </p>
          <SampleTable rows={impact.sample} total={impact.matchedCount} label="entries the rule matches" />
        </div>
      )}

      <div className="copy-pair">
        <CopyBlock title={`${SYNTAX_NAME[preview.syntax]} (in use)`} text={`${commands(preview.syntax, preview).join('\n')}\n`} />
        <CopyBlock title={`${SYNTAX_NAME[other]} (for reference)`} text={`${commands(other, preview).join('\n')}\n`} />
      </div>
      <details className="fragment">
        <summary className="small">What the agent loads ({preview.syntax === 'nft' ? 'nft -f -' : 'iptables-restore --noflush'})</summary>
        <pre>{preview.fragment}</pre>
      </details>

      {preview.notes.length > 0 && (
        <ul className="rule-notes">
          {preview.notes.map((n) => (
            <li key={n} className="small">
              {n}
            </li>
          ))}
        </ul>
      )}

      {preview.companions.length > 0 && (
        <div className="companions">
          <h3>Companion rules</h3>
          {preview.companions.map((c) => (
            <div key={c.summary} className="companion">
              <p className="small">{c.summary}</p>
              <CopyBlock title={SYNTAX_NAME[preview.syntax]} text={`${commands(preview.syntax, c).join('\n')}\n`} />
            </div>
          ))}
          {mayChange && (
            <label className="check">
              <input type="checkbox" checked={withCompanions} onChange={(e) => onWithCompanions(e.target.checked)} />
              Also apply the companion rule{preview.companions.length === 1 ? '' : 's'} (accept untracked traffic in the stateful filter chains)
            </label>
          )}
        </div>
      )}

      {mayChange && applyOptions}
      {mayChange && (
        <div className="form-actions">
          <button type="button" onClick={onApply} disabled={busy}>
            {busy ? 'Applying…' : 'Apply'}
          </button>
        </div>
      )}
    </section>
  );
}
