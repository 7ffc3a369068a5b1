'use client';

async function logout() {
  await fetch('/api/auth/logout', { method: 'POST' }).catch(() => undefined);
  window.location.assign('/login');
}

export function AppHeader() {
  return (
    <header className="app-header">
      <a href="/" className="brand">
        ctscope
      </a>
      <nav>
        <a href="/" aria-current="page">
          Overview
        </a>
      </nav>
      <button type="button" className="link-button" onClick={() => void logout()}>
        Log out
      </button>
    </header>
  );
}
