'use client';

import { useState } from 'react';
import { formatCount } from '../format';
import type { BrowserSocket } from '../live/browser-socket';
import { deleteKeys } from './delete-requests';
import { Modal } from './modal';

interface Props {
  socket: BrowserSocket;
  hostId: string;
  keys: string[];
  onDone(message: string): void;
  onClose(): void;
}

/** Confirms and runs a precise delete of the selected entries. */
export function DeleteSelectedDialog({ socket, hostId, keys, onDone, onClose }: Props) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function run() {
    setBusy(true);
    setError(null);
    const answer = await deleteKeys(socket, hostId, keys);
    setBusy(false);
    if (!answer.ok) return setError(answer.message);
    const { deleted, matched } = answer.data;
    onDone(`Deleted ${formatCount(deleted)} of ${formatCount(keys.length)} selected ${keys.length === 1 ? 'entry' : 'entries'}${matched > deleted ? ` (${formatCount(matched - deleted)} were already gone)` : ''}.`);
  }
  const noun = keys.length === 1 ? 'entry' : 'entries';
  return (
    <Modal title={`Delete ${formatCount(keys.length)} ${noun}`} onClose={onClose}>
      <p>
        The {noun} {keys.length === 1 ? 'is' : 'are'} removed from the kernel&apos;s conntrack table on <strong>{hostId}</strong> now, like <code>conntrack -D</code>. A connection
        that keeps sending packets is tracked again as a new entry (and may then fail stateful rules that expect ESTABLISHED).
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="modal-actions">
        <button type="button" className="secondary" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="danger" disabled={busy} onClick={() => void run()}>
          {busy ? 'Deleting…' : `Delete ${formatCount(keys.length)} ${noun}`}
        </button>
      </div>
    </Modal>
  );
}
