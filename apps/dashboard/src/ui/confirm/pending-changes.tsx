'use client';

import { useState } from 'react';
import type { ChangeOutcome } from '@ctscope/protocol';
import { formatCountdown, type PendingView } from './use-pending-changes';

interface Props {
  view: PendingView;
  /** Only these changes (the tuning page shows sysctl changes, the rules page rules); all when absent. */
  kind?: 'sysctl' | 'rule';
  mayChange: boolean;
  /** The host page's banner form: compact, with a link to where the change was made. */
  banner?: boolean;
}

const OUTCOME_TEXT: Record<ChangeOutcome['outcome'], string> = { confirmed: 'Confirmed', reverted: 'Reverted', 'revert-failed': 'Revert failed' };

/** Changes that undo themselves unless confirmed: a live countdown, Confirm and Revert now; then how each ended. */
export function PendingChanges({ view, kind, mayChange, banner = false }: Props) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const pending = view.pending.filter((p) => !kind || p.kind === kind);
  const recent = view.recent.filter((r) => !kind || r.kind === kind);
  if (pending.length === 0 && recent.length === 0) return null;

  const act = async (changeId: string, action: 'confirm' | 'revert') => {
    setBusy(changeId);
    setError(null);
    const answer = action === 'confirm' ? await view.confirm(changeId) : await view.revert(changeId);
    setBusy(null);
    if (!answer.ok) setError(answer.message);
  };

  return (
    <section className={`panel pending-changes${banner ? ' banner' : ''}`} aria-label="Changes waiting for a confirmation" aria-live="polite">
      {pending.map((p) => {
        const left = p.until - view.now;
        return (
          <div key={p.changeId} className="pending-change notice-warn" data-change={p.changeId} data-state={p.state}>
            <span>
              <strong>{p.kind === 'rule' ? 'Rule' : 'Tuning'}:</strong> {p.summary} <span className="muted small">by {p.user}{p.via === 'cli' ? ' (command line)' : ''}</span>
              <br />
              {p.state === 'reverting' || left <= 0 ? (
                <span data-testid="countdown">Not confirmed in time: being undone…{p.error ? ` (last attempt failed: ${p.error}; retrying)` : ''}</span>
              ) : (
                <span>
                  {p.kind === 'rule' ? 'Removed' : 'Undone'} in <strong data-testid="countdown">{formatCountdown(left)}</strong> unless confirmed.
                </span>
              )}
            </span>
            {mayChange && p.state === 'pending' && left > 0 && (
              <span className="pending-actions">
                <button type="button" onClick={() => void act(p.changeId, 'confirm')} disabled={busy !== null}>
                  {busy === p.changeId ? 'Working…' : 'Confirm'}
                </button>
                <button type="button" className="secondary" onClick={() => void act(p.changeId, 'revert')} disabled={busy !== null}>
                  Revert now
                </button>
              </span>
            )}
          </div>
        );
      })}
      {recent.map((r) => (
        <p key={r.changeId} className={`small ${r.outcome === 'confirmed' ? 'notice-ok' : r.outcome === 'reverted' ? 'notice-warn' : 'error'}`} data-outcome={r.outcome} data-change={r.changeId}>
          <strong>{OUTCOME_TEXT[r.outcome]}</strong> {new Date(r.at).toLocaleTimeString()}: {r.summary} — {r.message}
        </p>
      ))}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
