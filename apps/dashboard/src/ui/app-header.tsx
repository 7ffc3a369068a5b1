'use client';

import type { ReactNode } from 'react';
import { useSessionUser } from './live/use-session-user';
import { ThemeToggle } from './theme/theme-toggle';

async function logout() {
  await fetch('/api/auth/logout', { method: 'POST' }).catch(() => undefined);
  window.location.assign('/login');
}

export type Section = 'overview' | 'connections' | 'events' | 'tuning' | 'rules' | 'hosts' | 'snapshots' | 'views' | 'audit' | 'users' | 'notifications' | 'account';

const LINKS: { section: Section; href: string; label: string; adminOnly?: boolean }[] = [
  { section: 'overview', href: '/', label: 'Overview' },
  { section: 'connections', href: '/connections', label: 'Connections' },
  { section: 'events', href: '/events', label: 'Live events' },
  { section: 'tuning', href: '/tuning', label: 'Tuning' },
  { section: 'rules', href: '/rules', label: 'Rules' },
  { section: 'views', href: '/views', label: 'Views' },
  { section: 'hosts', href: '/hosts', label: 'Hosts' },
  { section: 'snapshots', href: '/snapshots', label: 'Snapshots' },
  { section: 'audit', href: '/audit', label: 'Audit' },
  { section: 'users', href: '/admin/users', label: 'Users', adminOnly: true },
  { section: 'notifications', href: '/admin/notifications', label: 'Notifications', adminOnly: true },
];

/** The top bar; `actions` are page controls shown before the account (such as "Save view"). */
export function AppHeader({ current = 'overview', actions }: { current?: Section; actions?: ReactNode }) {
  const user = useSessionUser();
  return (
    <header className="app-header">
      <a href="/" className="brand">
        ctscope
      </a>
      <nav aria-label="main">
        {LINKS.filter((link) => !link.adminOnly || user?.role === 'admin').map((link) => (
          <a key={link.section} href={link.href} aria-current={link.section === current ? 'page' : undefined}>
            {link.label}
          </a>
        ))}
      </nav>
      {actions && <div className="header-actions">{actions}</div>}
      <ThemeToggle />
      {user && (
        <a href="/account" className="header-user" aria-current={current === 'account' ? 'page' : undefined} title="Your account">
          {user.username} <span className="role-chip">{user.role}</span>
        </a>
      )}
      <button type="button" className="link-button" onClick={() => void logout()}>
        Log out
      </button>
    </header>
  );
}
