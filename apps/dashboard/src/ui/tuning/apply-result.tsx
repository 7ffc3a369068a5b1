'use client';

import type { SysctlApplyResult } from '@ctscope/protocol';
import { formatCount } from '../format';
import { displayValue, shortName } from './drafts';

interface Props {
  result: SysctlApplyResult;
  rolledBack: boolean;
  busy: boolean;
  onRollback(): void;
  onDismiss(): void;
}

/** What an apply changed, with a one-click rollback to the values before it. */
export function ApplyResult({ result, rolledBack, busy, onRollback, onDismiss }: Props) {
  return (
    <section className="panel apply-result" aria-labelledby="apply-result-title" aria-live="polite">
      <h2 id="apply-result-title">{rolledBack ? 'Rolled back' : 'Applied'}</h2>
      <ul className="applied">
        {result.applied.map((a) => (
          <li key={a.name}>
            <code>{shortName(a.name)}</code>: {displayValue(a.name, rolledBack ? a.after : a.before)} → <strong>{displayValue(a.name, rolledBack ? a.before : a.after)}</strong>
          </li>
        ))}
      </ul>
      {result.freed > 0 && !rolledBack && <p>{formatCount(result.freed)} idle entries freed in the same change.</p>}
      <p className="small muted">Runtime only: a reboot restores the persisted values unless you save them below.</p>
      <div className="form-actions">
        {!rolledBack && (
          <button type="button" className="secondary" onClick={onRollback} disabled={busy}>
            {busy ? 'Rolling back…' : 'Roll back'}
          </button>
        )}
        <button type="button" className="link-button" onClick={onDismiss}>
          Dismiss
        </button>
      </div>
    </section>
  );
}
