'use client';

import { CopyCommand } from './copy-command';
import { FleetOverview } from './fleet/fleet-overview';
import { HostCard } from './host-card';
import { CONNECTION_TEXT, useLiveSocket } from './live/use-live-socket';
import { useHosts } from './use-hosts';

export function HostsOverview() {
  const live = useLiveSocket();
  const { error, hosts, history } = useHosts(live);
  const problem = error ?? live.error;
  return (
    <>
      <div className="section-header">
        <h1 id="hosts-title">Overview</h1>
        <span className={`connection connection-${live.connection}`} role="status">
          {CONNECTION_TEXT[live.connection]}
        </span>
      </div>
      {problem && (
        <p className="error" role="alert">
          {problem}
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
        <>
          <FleetOverview live={live} hosts={hosts} />
          <section aria-labelledby="hosts-title-list">
            <h2 id="hosts-title-list" className="hosts-heading">
              Hosts
            </h2>
            {hosts.map((host) => (
              <HostCard key={host.id} host={host} history={history[host.id] ?? []} />
            ))}
          </section>
        </>
      )}
    </>
  );
}
