'use client';

import { useState, type FormEvent } from 'react';
import { safeNext } from './safe-next';
import { SsoButton, ssoErrorMessage, useLoginMethods } from './sso-sign-in';
import { useHydrated } from './use-hydrated';

export function LoginForm() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Before the script runs, a click would submit the form natively; the button waits for it.
  const hydrated = useHydrated();
  const methods = useLoginMethods();
  const params = hydrated ? new URLSearchParams(window.location.search) : null;
  const ssoError = params && ssoErrorMessage(params);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const res = await fetch('/api/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: form.get('username'), password: form.get('password') }),
      });
      if (res.ok) {
        window.location.assign(safeNext(new URLSearchParams(window.location.search).get('next'), window.location.origin));
        return;
      }
      const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
      setError(body?.error?.message ?? `login failed (HTTP ${res.status})`);
    } catch {
      setError('cannot reach the dashboard server; is it running?');
    }
    setBusy(false);
  }

  const passwordForm = (
    // method="post": even a native submission never puts the password in the URL.
    <form onSubmit={submit} method="post" className="login-form" aria-describedby={error ? 'login-error' : undefined}>
      <label>
        Username
        <input name="username" autoComplete="username" defaultValue="admin" required autoFocus />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      {error && (
        <p id="login-error" role="alert" className="error">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy || !hydrated}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );

  if (!methods) return <p className="muted login-loading">Loading sign-in options…</p>;
  return (
    <>
      {ssoError && (
        <p role="alert" className="error sso-error">
          {ssoError}
        </p>
      )}
      {methods.sso && <SsoButton available={methods.sso.available} next={params?.get('next') ?? null} />}
      {methods.localLogin ? (
        passwordForm
      ) : (
        <details className="break-glass">
          <summary>Break-glass admin sign-in</summary>
          <p className="muted small">Password sign-in is turned off here; only the admin account may use it, when single sign-on is down.</p>
          {passwordForm}
        </details>
      )}
    </>
  );
}
