'use client';

import type { SysctlApplyResult } from '@ctscope/protocol';
import { formatCount } from '../format';
import { displayValue, shortName } from './drafts';

interface Props {
  result: SysctlApplyResult;
  rolledBack: boolean;
  /** The agent's reason for refusing the rollback (a value moved since), when it did. */
  conflict: string | null;
  busy: boolean;
  onRollback(force: boolean): void;
  onDismiss(): void;
}

/** What an apply changed, with a one-click rollback to the values before it (recorded as its rollback). */
export function ApplyResult({ result, rolledBack, conflict, busy, onRollback, onDismiss }: Props) {
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
      {conflict && !rolledBack && (
        <p className="notice-warn" role="alert">
          Not rolled back: {conflict}.
        </p>
      )}
      <div className="form-actions">
        {!rolledBack && (
          <button type="button" className={conflict ? 'danger-outline' : 'secondary'} onClick={() => onRollback(conflict !== null)} disabled={busy}>
            {busy ? 'Rolling back…' : conflict ? 'Roll back anyway' : 'Roll back'}
          </button>
        )}
        <button type="button" className="link-button" onClick={onDismiss}>
          Dismiss
        </button>
      </div>
    </section>
  );
}
