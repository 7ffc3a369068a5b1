'use client';

import type { DeleteResult } from '@ctscope/protocol';
import { useEffect, useState } from 'react';
import { formatCount } from '../format';
import { formatEndpoint } from '../flow-format';
import type { BrowserSocket } from '../live/browser-socket';
import { planDeleteMatching, runDeleteMatching } from './delete-requests';
import { Modal } from './modal';

interface Props {
  socket: BrowserSocket;
  hostId: string;
  query: string;
  onDone(message: string): void;
  onClose(): void;
}

type Step = { kind: 'counting' } | { kind: 'planned'; plan: DeleteResult } | { kind: 'deleting'; plan: DeleteResult } | { kind: 'failed'; message: string };

/**
 * Delete everything matching the filter in two steps: a dry run counts the entries and shows a sample,
 * then the operator types the count to delete exactly those entries (none that appeared since).
 */
export function DeleteMatchingDialog({ socket, hostId, query, onDone, onClose }: Props) {
  const [step, setStep] = useState<Step>({ kind: 'counting' });
  const [typed, setTyped] = useState('');

  useEffect(() => {
    let live = true;
    void planDeleteMatching(socket, hostId, query).then((answer) => {
      if (!live) return;
      setStep(answer.ok ? { kind: 'planned', plan: answer.data } : { kind: 'failed', message: answer.message });
    });
    return () => {
      live = false;
    };
  }, [socket, hostId, query]);

  async function run(plan: DeleteResult) {
    if (!plan.planId) return;
    setStep({ kind: 'deleting', plan });
    const answer = await runDeleteMatching(socket, hostId, plan.planId);
    if (!answer.ok) return setStep({ kind: 'failed', message: answer.message });
    onDone(`Deleted ${formatCount(answer.data.deleted)} of ${formatCount(plan.matched)} matching entries.`);
  }

  const plan = step.kind === 'planned' || step.kind === 'deleting' ? step.plan : null;
  const confirmed = plan !== null && typed.trim() === String(plan.matched);
  return (
    <Modal title="Delete all matching entries" onClose={onClose}>
      <p>
        Filter: <code>{query.trim() === '' ? '(none: every entry)' : query}</code> on <strong>{hostId}</strong>
      </p>
      {step.kind === 'counting' && (
        <p className="muted" aria-busy="true">
          Counting matching entries (dry run)…
        </p>
      )}
      {step.kind === 'failed' && (
        <p className="error" role="alert">
          {step.message}
        </p>
      )}
      {plan && plan.matched === 0 && <p>Nothing matches this filter right now; there is nothing to delete.</p>}
      {plan && plan.matched > 0 && (
        <>
          <p>
            Dry run: <strong data-testid="dry-run-count">{formatCount(plan.matched)}</strong> {plan.matched === 1 ? 'entry matches' : 'entries match'}. Deleting removes
            exactly these (entries created after this count are kept).
          </p>
          {plan.sample.length > 0 && (
            <table className="sample" aria-label="sample of matching entries">
              <caption className="muted small">
                {plan.sample.length < plan.matched ? `First ${plan.sample.length} of ${formatCount(plan.matched)}` : 'All of them'}
              </caption>
              <tbody>
                {plan.sample.map((f) => (
                  <tr key={f.key}>
                    <td>{f.proto}</td>
                    <td>{formatEndpoint(f.orig.src, f.orig.sport)}</td>
                    <td>→</td>
                    <td>{formatEndpoint(f.orig.dst, f.orig.dport)}</td>
                    <td>{f.state ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <label className="confirm-field">
            <span>
              Type <strong>{plan.matched}</strong> to confirm
            </span>
            <input value={typed} onChange={(e) => setTyped(e.target.value)} inputMode="numeric" autoComplete="off" aria-label="type the count to confirm" />
          </label>
        </>
      )}
      <div className="modal-actions">
        <button type="button" className="secondary" onClick={onClose}>
          Cancel
        </button>
        {plan && plan.matched > 0 && (
          <button type="button" className="danger" disabled={!confirmed || step.kind === 'deleting'} onClick={() => void run(plan)}>
            {step.kind === 'deleting' ? 'Deleting…' : `Delete ${formatCount(plan.matched)} entries`}
          </button>
        )}
      </div>
    </Modal>
  );
}
