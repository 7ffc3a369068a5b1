import type { Metadata } from 'next';
import { headers } from 'next/headers';
import type { ReactNode } from 'react';
import { NONCE_HEADER } from '../src/server/http/nonce-header';
import { THEME_SCRIPT } from '../src/ui/theme/theme-script';
import './globals.css';

export const metadata: Metadata = {
  title: 'ctscope',
  description: 'Linux connection tracking, live',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The server sets a fresh nonce on every request (the page's CSP allows no other inline script);
  // reading it renders every page per request, which a nonce needs anyway.
  const nonce = (await headers()).get(NONCE_HEADER) ?? undefined;
  // The theme script sets <html data-theme> before the first paint, hence the hydration-warning opt-out.
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
      </head>
      <body>{children}</body>
    </html>
  );
}
