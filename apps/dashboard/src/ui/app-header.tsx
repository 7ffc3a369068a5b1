'use client';

async function logout() {
  await fetch('/api/auth/logout', { method: 'POST' }).catch(() => undefined);
  window.location.assign('/login');
}

export type Section = 'overview' | 'connections' | 'events' | 'tuning' | 'rules';

const LINKS: { section: Section; href: string; label: string }[] = [
  { section: 'overview', href: '/', label: 'Overview' },
  { section: 'connections', href: '/connections', label: 'Connections' },
  { section: 'events', href: '/events', label: 'Live events' },
  { section: 'tuning', href: '/tuning', label: 'Tuning' },
  { section: 'rules', href: '/rules', label: 'Rules' },
];

export function AppHeader({ current = 'overview' }: { current?: Section }) {
  return (
    <header className="app-header">
      <a href="/" className="brand">
        ctscope
      </a>
      <nav aria-label="main">
        {LINKS.map((link) => (
          <a key={link.section} href={link.href} aria-current={link.section === current ? 'page' : undefined}>
            {link.label}
          </a>
        ))}
      </nav>
      <button type="button" className="link-button" onClick={() => void logout()}>
        Log out
      </button>
    </header>
  );
}
