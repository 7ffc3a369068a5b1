'use client';

import { storedSnapshotSchema, type StoredSnapshot } from '@ctscope/protocol';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { z } from 'zod';
import { apiCall } from '../admin/api-client';
import { formatBytes, formatDateTime } from '../flow-format';
import { formatCount } from '../format';
import { canChange, useSessionUser } from '../live/use-session-user';
import { uploadSnapshot } from './upload';

const listSchema = z.object({ snapshots: z.array(storedSnapshotSchema) });

/** The snapshots page: open an incident snapshot file (operators and admins), list, open and delete them. */
export function SnapshotsManager() {
  const user = useSessionUser();
  const mayUpload = canChange(user);
  const [snapshots, setSnapshots] = useState<StoredSnapshot[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [progress, setProgress] = useState<number | null>(null);

  const load = useCallback(async () => {
    const res = await apiCall(listSchema, 'GET', '/api/snapshots');
    if (res.ok) setSnapshots(res.data.snapshots);
    else setError(res.message);
  }, []);
  useEffect(() => void load(), [load]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    setError(null);
    setProgress(0);
    const res = await uploadSnapshot(file, name.trim() || file.name, setProgress);
    setProgress(null);
    if (!res.ok) return setError(res.message);
    window.location.assign(`/snapshots/${res.snapshot.id}`);
  };
  const remove = async (s: StoredSnapshot) => {
    if (!window.confirm(`Delete the snapshot "${s.name}"?`)) return;
    const res = await apiCall(z.null(), 'DELETE', `/api/snapshots/${s.id}`);
    if (!res.ok) setError(res.message);
    await load();
  };

  return (
    <>
      <div className="section-header">
        <h1>Snapshots</h1>
      </div>
      <p className="muted">
        A snapshot is one file of a host&apos;s table, stats, settings, rules and kernel lines at one moment, made on the host with{' '}
        <code>ctscope snapshot -o FILE</code> (add a filter to keep part of the table). Opened here it is shown read-only, as a host marked
        &quot;snapshot&quot;.
      </p>
      {mayUpload ? (
        <form className="inline-form panel" onSubmit={(e) => void submit(e)} aria-label="Open a snapshot">
          <label>
            Snapshot file{' '}
            <input type="file" accept=".gz,application/gzip" onChange={(e) => setFile(e.target.files?.[0] ?? null)} disabled={progress !== null} />
          </label>
          <label>
            Name <input type="text" value={name} maxLength={200} placeholder={file?.name ?? 'gw-1 during the outage'} onChange={(e) => setName(e.target.value)} />
          </label>
          <button type="submit" disabled={!file || progress !== null}>
            {progress === null ? 'Open snapshot' : progress < 1 ? `Uploading… ${Math.round(progress * 100)} %` : 'Checking the file…'}
          </button>
        </form>
      ) : (
        <p className="muted">Viewers can open the snapshots listed here; an operator or admin uploads them.</p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {snapshots === null ? (
        <p className="muted">Loading…</p>
      ) : snapshots.length === 0 ? (
        <p className="empty">No snapshots yet.</p>
      ) : (
        <table className="data-table" aria-label="snapshots">
          <thead>
            <tr>
              <th>Name</th>
              <th>Host</th>
              <th>Taken</th>
              <th>Entries</th>
              <th>Filter</th>
              <th>Size</th>
              <th>Opened by</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {snapshots.map((s) => (
              <tr key={s.id}>
                <td>
                  <a href={`/snapshots/${s.id}`}>{s.name}</a>
                </td>
                <td>
                  {s.host} <span className="badge">snapshot</span>
                </td>
                <td className="nowrap">{formatDateTime(s.createdAt)}</td>
                <td>{formatCount(s.flows)}</td>
                <td className="mono-cell">{s.filter ?? 'whole table'}</td>
                <td>{formatBytes(s.bytes)}</td>
                <td>{s.uploadedBy}</td>
                <td>
                  {mayUpload && (
                    <button type="button" className="danger-button small-button" onClick={() => void remove(s)}>
                      Delete
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
