'use client';

import { DEFAULT_CONFIRM_WITHIN_MS, type DiagnosisFix, type RuleApplyResult, type RulePreview } from '@ctscope/protocol';
import { useEffect, useState } from 'react';
import { ConfirmWithin } from '../confirm/confirm-within';
import type { BrowserSocket } from '../live/browser-socket';
import { RulePreviewPanel } from '../rules/rule-preview';
import { ruleRequests } from '../rules/rule-requests';
import { ruleDeadlineMs } from './diagnosis-view';

interface Props {
  socket: BrowserSocket;
  hostId: string;
  fix: Extract<DiagnosisFix, { kind: 'rule' }>;
  mayChange: boolean;
}

/** A rule fix through the rules page's flow: rules:preview (commands to copy, impact), then apply, for a limited time when the fix says so (the fix's Preview button closes it). */
export function RuleFix({ socket, hostId, fix, mayChange }: Props) {
  const [preview, setPreview] = useState<RulePreview | null>(null);
  const [withCompanions, setWithCompanions] = useState(true);
  const [busy, setBusy] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [applied, setApplied] = useState<RuleApplyResult | null>(null);
  const deadline = ruleDeadlineMs(fix);
  // A rule meant to stay is applied as on the Rules page: undone by the host unless confirmed in time.
  const [confirmWithin, setConfirmWithin] = useState<number | null>(DEFAULT_CONFIRM_WITHIN_MS);
  // Reports come again every 30 s with equal fixes: only a different rule is previewed again.
  const wanted = JSON.stringify(fix.spec);

  useEffect(() => {
    let live = true;
    void ruleRequests(socket, hostId)
      .preview(JSON.parse(wanted) as Record<string, unknown>)
      .then((answer) => {
        if (!live) return;
        setBusy(false);
        if (answer.ok) setPreview(answer.data);
        else setError(answer.message);
      });
    return () => {
      live = false;
    };
  }, [socket, hostId, wanted]);

  async function apply() {
    setBusy(true);
    setError(null);
    const answer = await ruleRequests(socket, hostId).apply(fix.spec, withCompanions, deadline ?? confirmWithin);
    setBusy(false);
    if (!answer.ok) return setError(answer.message);
    setApplied(answer.data);
    setPreview(null);
  }

  return (
    <div className="fix-flow" data-testid="fix-flow">
      {busy && !preview && !applied && (
        <p className="muted" aria-busy="true">
          Previewing the rule…
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {preview && (
        <>
          {deadline !== undefined && mayChange && (
            <p className="notice-warn small">Applied for {Math.round(deadline / 1000)} s only: the agent removes it by itself when the time is up (it is applied without confirmation).</p>
          )}
          <RulePreviewPanel preview={preview} withCompanions={withCompanions} onWithCompanions={setWithCompanions} mayChange={mayChange} busy={busy} onApply={() => void apply()} applyOptions={deadline === undefined ? <ConfirmWithin value={confirmWithin} onChange={setConfirmWithin} /> : undefined} />
        </>
      )}
      {applied && (
        <p className="notice-ok" role="status">
          Applied rule {applied.id} ({applied.rules} rule{applied.rules === 1 ? '' : 's'}
          {applied.companions.length > 0 ? `, with ${applied.companions.length} companion${applied.companions.length === 1 ? '' : 's'}` : ''})
          {deadline !== undefined
            ? `; the agent removes it in ${Math.round(deadline / 1000)} s.`
            : confirmWithin !== null
              ? '. Confirm it in the banner above, or the host removes it by itself.'
              : '. It stays until removed on the Rules page.'}{' '}
          <a href={`/rules?host=${encodeURIComponent(hostId)}`}>Rules page</a>
        </p>
      )}
    </div>
  );
}
