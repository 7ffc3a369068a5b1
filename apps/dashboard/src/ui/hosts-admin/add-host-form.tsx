'use client';

import { enrollmentResponseSchema, type Enrollment } from '@ctscope/protocol';
import { useState, type FormEvent } from 'react';
import { apiCall } from '../admin/api-client';

/** Admins add a host by id and name; the answer carries its one-time enrollment. */
export function AddHostForm({ onAdded }: { onAdded(enrollment: Enrollment): void }) {
  const [id, setId] = useState('');
  const [hostname, setHostname] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    const res = await apiCall(enrollmentResponseSchema, 'POST', '/api/hosts', { id, hostname: hostname || id });
    setBusy(false);
    if (!res.ok) return setError(res.message);
    setError(null);
    setId('');
    setHostname('');
    onAdded(res.data.enrollment);
  }

  return (
    <form className="panel inline-fields" onSubmit={(e) => void submit(e)} aria-label="Add a host">
      <h2>Add a host</h2>
      <label>
        Host id
        <input value={id} onChange={(e) => setId(e.target.value.toLowerCase())} required pattern="[a-z0-9][a-z0-9._\-]{0,62}" placeholder="edge-1" title="lowercase letters, digits, '.', '_', '-'" />
      </label>
      <label>
        Hostname
        <input value={hostname} onChange={(e) => setHostname(e.target.value)} maxLength={253} placeholder="edge-1.example.net" />
      </label>
      <button type="submit" disabled={busy || id === ''}>
        {busy ? 'Adding…' : 'Add host'}
      </button>
      {error && (
        <p className="error full-row" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
