'use client';

import { useRef, useState, type FormEvent } from 'react';
import { Modal } from '../connections/modal';

type Phase = { kind: 'idle' } | { kind: 'running'; bytes: number } | { kind: 'done'; name: string; bytes: number } | { kind: 'failed'; message: string };

const mib = (bytes: number) => (bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`);

/** The file name the server chose (Content-Disposition), or a plain one. */
function fileNameOf(res: Response, hostId: string): string {
  const match = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '');
  return match?.[1] ?? `ctscope-${hostId}.ctsnap.gz`;
}

async function errorOf(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { error?: { message?: unknown } };
    if (typeof body.error?.message === 'string') return body.error.message;
  } catch {
    // not JSON: the status says enough
  }
  return `the snapshot failed (HTTP ${res.status})`;
}

/**
 * "Snapshot": the host's agent writes an incident snapshot file (the table or the entries matching a
 * filter, with its stats and composition history, alerts, sysctls and rules) and the browser saves it.
 * Closing the dialog or Cancel stops the download, and the agent with it.
 */
export function SnapshotButton({ hostId }: { hostId: string }) {
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState('');
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const abort = useRef<AbortController | null>(null);

  const close = () => {
    abort.current?.abort();
    setOpen(false);
  };

  async function start(e: FormEvent) {
    e.preventDefault();
    const controller = new AbortController();
    abort.current = controller;
    setPhase({ kind: 'running', bytes: 0 });
    try {
      const res = await fetch(`/api/hosts/${encodeURIComponent(hostId)}/snapshot?q=${encodeURIComponent(query.trim())}`, { signal: controller.signal });
      if (!res.ok || !res.body) return setPhase({ kind: 'failed', message: await errorOf(res) });
      const parts: Uint8Array[] = [];
      let bytes = 0;
      const reader = res.body.getReader();
      for (let part = await reader.read(); !part.done; part = await reader.read()) {
        parts.push(part.value);
        bytes += part.value.byteLength;
        setPhase({ kind: 'running', bytes });
      }
      const name = fileNameOf(res, hostId);
      const url = URL.createObjectURL(new Blob(parts as BlobPart[], { type: 'application/gzip' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = name;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setPhase({ kind: 'done', name, bytes });
    } catch {
      if (controller.signal.aborted) setPhase({ kind: 'idle' });
      else setPhase({ kind: 'failed', message: 'the snapshot was cut off before it was complete (the host or the dashboard went away); try again' });
    } finally {
      if (abort.current === controller) abort.current = null;
    }
  }

  const running = phase.kind === 'running';
  return (
    <>
      <button
        type="button"
        className="secondary-button"
        onClick={() => {
          setPhase({ kind: 'idle' });
          setOpen(true);
        }}
      >
        Snapshot
      </button>
      {open && (
        <Modal title="Incident snapshot" onClose={close}>
          <form className="form-grid" onSubmit={(e) => void start(e)}>
            <p className="muted">
              One gzip file of this host as it is now: its table (or the entries matching the filter), the last hour of stats, the composition history, active alerts, every{' '}
              <code>nf_conntrack_*</code> value, the rules and the kernel&apos;s &quot;table full&quot; lines. Open it later on the <a href="/snapshots">Snapshots</a> page.
            </p>
            <label>
              Filter (optional)
              <input value={query} onChange={(e) => setQuery(e.target.value)} maxLength={2000} disabled={running} placeholder="as on Connections, e.g. udp dport:53 or -p tcp --state SYN_SENT" />
            </label>
            {running && (
              <p role="status" data-testid="snapshot-progress">
                Making the snapshot… {phase.bytes > 0 ? `${mib(phase.bytes)} received` : 'the agent is reading the host'}
              </p>
            )}
            {phase.kind === 'done' && (
              <p role="status" data-testid="snapshot-done">
                Saved <strong>{phase.name}</strong> ({mib(phase.bytes)}).
              </p>
            )}
            {phase.kind === 'failed' && (
              <p className="error" role="alert">
                {phase.message}
              </p>
            )}
            <div className="modal-actions">
              <button type="button" className="secondary-button" onClick={close}>
                {running ? 'Cancel' : 'Close'}
              </button>
              <button type="submit" disabled={running}>
                {running ? 'Making…' : 'Download snapshot'}
              </button>
            </div>
          </form>
        </Modal>
      )}
    </>
  );
}
