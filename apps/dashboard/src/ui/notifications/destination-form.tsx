'use client';

import type { DestinationKind, DestinationSummary } from '@ctscope/protocol';
import { useState, type FormEvent } from 'react';

/** What the form sends: secrets only when typed (an edit without them keeps the stored ones). */
export interface DestinationDraft {
  name: string;
  kind: DestinationKind;
  enabled: boolean;
  minSeverity: 'warning' | 'critical';
  hosts: string[];
  url?: string;
  hmacSecret?: string | null;
  auth?: { type: 'bearer'; token: string } | { type: 'basic'; username: string; password: string } | null;
}

const URL_HINT: Record<DestinationKind, string> = {
  webhook: 'https://hooks.example.internal/ctscope',
  slack: 'https://hooks.slack.com/services/T000/B000/XXXX',
  alertmanager: 'http://alertmanager.example.internal:9093',
};

interface Props {
  existing: DestinationSummary | null;
  onSave(draft: DestinationDraft): Promise<string | null>;
  onCancel(): void;
}

/** Add or edit a destination. Saved secrets are never shown: leave a field empty to keep what is stored. */
export function DestinationForm({ existing, onSave, onCancel }: Props) {
  const [name, setName] = useState(existing?.name ?? '');
  const [kind, setKind] = useState<DestinationKind>(existing?.kind ?? 'webhook');
  const [url, setUrl] = useState('');
  const [enabled, setEnabled] = useState(existing?.enabled ?? true);
  const [minSeverity, setMinSeverity] = useState<'warning' | 'critical'>(existing?.minSeverity ?? 'warning');
  const [hosts, setHosts] = useState(existing?.hosts.join(', ') ?? '');
  const [secret, setSecret] = useState('');
  const [authType, setAuthType] = useState<'none' | 'bearer' | 'basic'>('none');
  const [username, setUsername] = useState('');
  const [removeSecret, setRemoveSecret] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const keepsSecret = existing !== null && existing.kind === kind && existing.hasSecret;

  async function submit(e: FormEvent) {
    e.preventDefault();
    const draft: DestinationDraft = { name, kind, enabled, minSeverity, hosts: hosts.split(/[\s,]+/).filter(Boolean) };
    if (url.trim()) draft.url = url.trim();
    if (kind === 'webhook') {
      if (secret) draft.hmacSecret = secret;
      else if (removeSecret) draft.hmacSecret = null;
    }
    if (kind === 'alertmanager') {
      if (authType === 'bearer' && secret) draft.auth = { type: 'bearer', token: secret };
      else if (authType === 'basic' && secret) draft.auth = { type: 'basic', username, password: secret };
      else if (removeSecret) draft.auth = null;
    }
    setBusy(true);
    const err = await onSave(draft);
    setBusy(false);
    setError(err);
  }

  return (
    <form className="panel inline-fields" onSubmit={(e) => void submit(e)} aria-label={existing ? `Edit ${existing.name}` : 'Add a destination'}>
      <h2>{existing ? `Edit ${existing.name}` : 'Add a destination'}</h2>
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
      </label>
      <label>
        Kind
        <select value={kind} onChange={(e) => setKind(e.target.value as DestinationKind)}>
          <option value="webhook">Webhook (JSON)</option>
          <option value="slack">Slack-compatible</option>
          <option value="alertmanager">Alertmanager</option>
        </select>
      </label>
      <label style={{ flex: '1 1 320px' }}>
        {kind === 'alertmanager' ? 'Alertmanager address' : 'Webhook URL'}
        <input
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          required={existing === null || existing.kind !== kind}
          placeholder={existing && existing.kind === kind ? `${existing.urlMasked} (leave empty to keep)` : URL_HINT[kind]}
          autoComplete="off"
        />
      </label>
      <label>
        Send
        <select value={minSeverity} onChange={(e) => setMinSeverity(e.target.value as 'warning' | 'critical')}>
          <option value="warning">warning and critical</option>
          <option value="critical">critical only</option>
        </select>
      </label>
      <label>
        Hosts
        <input value={hosts} onChange={(e) => setHosts(e.target.value)} placeholder="every host" title="Host ids or names, separated by commas; empty: every host" />
      </label>
      {kind === 'alertmanager' && (
        <label>
          Credentials
          <select value={authType} onChange={(e) => setAuthType(e.target.value as 'none' | 'bearer' | 'basic')}>
            <option value="none">{keepsSecret ? 'keep the saved ones' : 'none'}</option>
            <option value="bearer">bearer token</option>
            <option value="basic">user and password</option>
          </select>
        </label>
      )}
      {kind === 'alertmanager' && authType === 'basic' && (
        <label>
          User
          <input value={username} onChange={(e) => setUsername(e.target.value)} required autoComplete="off" />
        </label>
      )}
      {(kind === 'webhook' || authType !== 'none') && (
        <label>
          {kind === 'webhook' ? 'Signing secret (optional)' : authType === 'bearer' ? 'Token' : 'Password'}
          <input type="password" value={secret} onChange={(e) => setSecret(e.target.value)} minLength={kind === 'webhook' ? 16 : 1} required={kind !== 'webhook'} autoComplete="new-password" placeholder={keepsSecret ? 'saved; type to replace' : kind === 'webhook' ? 'at least 16 characters' : ''} />
        </label>
      )}
      {keepsSecret && (
        <label className="check">
          <input type="checkbox" checked={removeSecret} onChange={(e) => setRemoveSecret(e.target.checked)} /> remove the saved {kind === 'webhook' ? 'secret' : 'credentials'}
        </label>
      )}
      <label className="check">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> enabled
      </label>
      <button type="submit" disabled={busy}>
        {busy ? 'Saving…' : 'Save'}
      </button>
      <button type="button" className="link-button" onClick={onCancel}>
        Cancel
      </button>
      {error && (
        <p className="error full-row" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
