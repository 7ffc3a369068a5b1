import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { THEME_SCRIPT } from '../src/ui/theme/theme-script';
import './globals.css';

export const metadata: Metadata = {
  title: 'ctscope',
  description: 'Linux connection tracking, live',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  // The theme script sets <html data-theme> before the first paint, hence the hydration-warning opt-out.
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
      </head>
      <body>{children}</body>
    </html>
  );
}
