'use client';

import { PUBLIC_URL_PLACEHOLDER, agentDownloadsSchema, type AgentDownloads } from '@ctscope/protocol';
import { useEffect, useState } from 'react';
import { apiCall } from '../admin/api-client';
import { CopyCommand } from '../copy-command';

const KIND_TEXT = { deb: '.deb (Debian, Ubuntu)', tarball: 'tarball (other x86-64 Linux)' } as const;

/** The agent packages this dashboard serves, and what keeps hosts from installing them, before any token is issued. */
export function AgentDownloadsPanel() {
  const [downloads, setDownloads] = useState<AgentDownloads | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void apiCall(agentDownloadsSchema, 'GET', '/api/hosts/downloads').then((res) => (res.ok ? setDownloads(res.data) : setError(res.message)));
  }, []);
  if (error) return <p className="error">Agent packages: {error}</p>;
  if (!downloads) return null;
  return (
    <section className="agent-downloads" aria-label="Agent packages">
      {downloads.dashboardUrl === null && (
        <p className="notice" role="alert">
          <strong>CTSCOPE_PUBLIC_URL is not set.</strong> Hosts download the agent from this dashboard and report to it, so they need the address they reach it by; the dashboard
          does not take it from your browser (a request can claim any address). Set <code>CTSCOPE_PUBLIC_URL=https://…</code> in the dashboard&apos;s environment and restart it.
          Until then the commands carry <code>{PUBLIC_URL_PLACEHOLDER}</code>.
        </p>
      )}
      {downloads.install.length === 0 ? (
        <p className="notice" role="alert">
          <strong>No agent package is built on this dashboard.</strong> Run <code>npm run package</code> where it runs (<code>npm start</code> does it).
        </p>
      ) : (
        <details>
          <summary>
            Agent packages served here: {downloads.install.map((p) => p.file).join(', ')} (<a href="/downloads/SHA256SUMS">SHA256SUMS</a>). Upgrade a host by installing again:
          </summary>
          {downloads.install.map((p) => (
            <div key={p.file}>
              <p className="step">{KIND_TEXT[p.kind]}</p>
              <CopyCommand command={p.command} label="Copy" />
            </div>
          ))}
        </details>
      )}
    </section>
  );
}
