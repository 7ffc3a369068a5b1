'use client';

import type { DestinationSummary } from '@ctscope/protocol';
import { useState } from 'react';
import { formatAgo } from '../format';

const KIND_LABEL: Record<DestinationSummary['kind'], string> = { webhook: 'Webhook', slack: 'Slack', alertmanager: 'Alertmanager' };

interface Props {
  destination: DestinationSummary;
  onEdit(): void;
  onDelete(d: DestinationSummary): Promise<string | null>;
  onTest(d: DestinationSummary): Promise<{ ok: boolean; message: string }>;
}

/** One destination: where, what it takes, how delivery goes (last success, last failure and why, queue). */
export function DestinationRow({ destination: d, onEdit, onDelete, onTest }: Props) {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; message: string } | null>(null);
  const [confirming, setConfirming] = useState(false);
  const s = d.status;
  const failing = s.lastFailureAt !== null && (s.lastSuccessAt === null || s.lastFailureAt > s.lastSuccessAt);

  const test = async () => {
    setBusy(true);
    setResult(await onTest(d));
    setBusy(false);
  };
  const remove = async () => {
    const err = await onDelete(d);
    if (err) setResult({ ok: false, message: err });
  };

  return (
    <tr data-destination={d.name}>
      <td>
        <strong>{d.name}</strong> <span className="badge badge-offline">{KIND_LABEL[d.kind]}</span> {!d.enabled && <span className="badge badge-paused">off</span>}
        <div className="muted small" style={{ fontFamily: "var(--mono)" }}>
          {d.urlMasked}
        </div>
        {d.hasSecret && <div className="muted small">{d.kind === 'webhook' ? 'signed (HMAC-SHA256)' : 'with credentials'}</div>}
        {result && (
          <div className={result.ok ? 'ok-text small' : 'error small'} role="status">
            {result.message}
          </div>
        )}
      </td>
      <td className="small">
        {d.minSeverity === 'critical' ? 'critical only' : 'warning and critical'}
        <div className="muted">{d.hosts.length === 0 ? 'every host' : d.hosts.join(', ')}</div>
      </td>
      <td className="small" data-testid="delivery">
        {s.lastSuccessAt === null && s.lastFailureAt === null && <span className="muted">nothing sent yet</span>}
        {s.lastSuccessAt !== null && <div className="ok-text">delivered {formatAgo(s.lastSuccessAt)}</div>}
        {s.lastFailureAt !== null && (
          <div className={failing ? 'danger-text' : 'muted'}>
            failed {formatAgo(s.lastFailureAt)}: {s.lastError}
          </div>
        )}
        {(s.queued > 0 || s.dropped > 0) && (
          <div className={s.dropped > 0 ? 'danger-text' : 'muted'}>
            {s.queued} queued{s.dropped > 0 ? `, ${s.dropped} dropped` : ''}
          </div>
        )}
      </td>
      <td className="row-actions">
        <button type="button" className="small-button" disabled={busy} onClick={() => void test()}>
          {busy ? 'Sending…' : 'Send test'}
        </button>
        <button type="button" className="link-button" onClick={onEdit}>
          Edit
        </button>
        {confirming ? (
          <>
            <button type="button" className="small-button danger" onClick={() => void remove()}>
              Delete {d.name}
            </button>
            <button type="button" className="link-button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </>
        ) : (
          <button type="button" className="link-button" onClick={() => setConfirming(true)}>
            Delete
          </button>
        )}
      </td>
    </tr>
  );
}
