'use client';

import { CopyCommand } from './copy-command';
import { HostCard } from './host-card';
import { useHosts } from './use-hosts';

const CONNECTION_TEXT = {
  connecting: 'Connecting to the dashboard…',
  live: 'Live',
  reconnecting: 'Connection lost; reconnecting…',
  refused: 'The dashboard refused this page',
} as const;

export function HostsOverview() {
  const { connection, error, hosts, history } = useHosts();
  return (
    <section aria-labelledby="hosts-title">
      <div className="section-header">
        <h1 id="hosts-title">Hosts</h1>
        <span className={`connection connection-${connection}`} role="status">
          {CONNECTION_TEXT[connection]}
        </span>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {hosts === null ? (
        <div className="host-card skeleton" aria-busy="true">
          Loading hosts…
        </div>
      ) : hosts.length === 0 ? (
        <div className="empty">
          <h2>No hosts yet</h2>
          <p>Run an agent on each host you want to watch. It needs root (or CAP_NET_ADMIN) and a token file from this dashboard:</p>
          <CopyCommand command={`sudo npx ctscope agent --dashboard ${typeof window === 'undefined' ? 'URL' : window.location.origin} --token-file /etc/ctscope/agent.token`} />
        </div>
      ) : (
        hosts.map((host) => <HostCard key={host.id} host={host} history={history[host.id] ?? []} />)
      )}
    </section>
  );
}
