'use client';

import { DEFAULT_CONFIRM_WITHIN_MS, ErrorCode, type DiagnosisFix, type SysctlApplyResult, type SysctlPreview } from '@ctscope/protocol';
import { useEffect, useRef, useState } from 'react';
import { ConfirmWithin } from '../confirm/confirm-within';
import type { BrowserSocket } from '../live/browser-socket';
import { ApplyResult } from '../tuning/apply-result';
import { PreviewPanel } from '../tuning/preview-panel';
import { sysctlRequests } from '../tuning/sysctl-requests';
import { sysctlChangesOf } from './diagnosis-view';

interface Props {
  socket: BrowserSocket;
  hostId: string;
  fix: Extract<DiagnosisFix, { kind: 'sysctl' }>;
  mayChange: boolean;
  onClose(): void;
  /** Said on the panel too, which stays when the diagnosis (and this card) goes. */
  onApplied(message: string): void;
}

/** A tuning fix through the tuning page's own flow: sysctl:preview (before → after, the entries it frees), then apply, then roll back if wanted. */
export function SysctlFix({ socket, hostId, fix, mayChange, onClose, onApplied }: Props) {
  const [preview, setPreview] = useState<SysctlPreview | null>(null);
  const [freeIdle, setFreeIdle] = useState(false);
  // As on the Tuning page: undone by the host itself unless confirmed (the host page's banner counts down).
  const [confirmWithin, setConfirmWithin] = useState<number | null>(DEFAULT_CONFIRM_WITHIN_MS);
  const [busy, setBusy] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [applied, setApplied] = useState<{ result: SysctlApplyResult; rolledBack: boolean; conflict: string | null } | null>(null);
  const requests = sysctlRequests(socket, hostId);
  const changes = sysctlChangesOf(fix);
  // Reports come again every 30 s with equal fixes: only a different change is previewed again.
  const wanted = JSON.stringify(changes);
  // Once applied, the diagnosis may propose a further step: that is a new preview the operator asks for, not this one.
  const appliedOnce = useRef(false);

  useEffect(() => {
    if (appliedOnce.current) return;
    let live = true;
    void sysctlRequests(socket, hostId)
      .preview(JSON.parse(wanted) as ReturnType<typeof sysctlChangesOf>)
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
    const answer = await requests.apply(changes, freeIdle, confirmWithin);
    setBusy(false);
    if (!answer.ok) return setError(answer.message);
    appliedOnce.current = true;
    setApplied({ result: answer.data, rolledBack: false, conflict: null });
    setPreview(null);
    onApplied(`Applied on ${hostId}: ${answer.data.applied.map((a) => `${a.name.replace('net.netfilter.', '')} ${a.before} → ${a.after}`).join(', ')}${answer.data.freed > 0 ? `; ${answer.data.freed} idle entries freed` : ''}.${confirmWithin !== null ? ' Confirm it in the banner above, or the host undoes it by itself.' : ''} The Tuning page's history can roll it back.`);
  }
  async function rollback(force: boolean) {
    if (!applied) return;
    setBusy(true);
    setError(null);
    const answer = await requests.rollback(applied.result.changeId, force);
    setBusy(false);
    if (!answer.ok && answer.code === ErrorCode.Conflict && !force) return setApplied({ ...applied, conflict: answer.message });
    if (!answer.ok) return setError(`Roll back failed: ${answer.message}`);
    setApplied({ ...applied, rolledBack: true, conflict: null });
  }

  return (
    <div className="fix-flow" data-testid="fix-flow">
      {busy && !preview && !applied && (
        <p className="muted" aria-busy="true">
          Previewing the change (what it would free)…
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {preview && <PreviewPanel preview={preview} freeIdle={freeIdle} onFreeIdle={setFreeIdle} busy={busy} mayChange={mayChange} onApply={() => void apply()} onCancel={onClose} applyOptions={<ConfirmWithin value={confirmWithin} onChange={setConfirmWithin} />} />}
      {applied && <ApplyResult result={applied.result} rolledBack={applied.rolledBack} conflict={applied.conflict} busy={busy} onRollback={(force) => void rollback(force)} onDismiss={onClose} />}
    </div>
  );
}
