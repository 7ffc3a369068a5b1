'use client';

import { useState, type FormEvent } from 'react';
import { safeNext } from './safe-next';
import { useHydrated } from './use-hydrated';

export function LoginForm() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Before the script runs, a click would submit the form natively; the button waits for it.
  const hydrated = useHydrated();

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

  return (
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
}
