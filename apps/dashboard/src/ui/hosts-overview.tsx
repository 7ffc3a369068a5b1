'use client';

import { FleetOverview } from './fleet/fleet-overview';
import { HostCard } from './host-card';
import { CONNECTION_TEXT, useLiveSocket } from './live/use-live-socket';
import { useHosts } from './use-hosts';
import { useDiagnosisCounts } from './diagnoses/use-diagnoses';

export function HostsOverview() {
  const live = useLiveSocket();
  const { error, hosts, history } = useHosts(live);
  const diagnoses = useDiagnosisCounts(live);
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
          <p>
            Each host you want to watch runs the ctscope agent, installed from this dashboard. An admin adds the host on the <a href="/hosts">Hosts page</a>, which gives its token and the
            commands that download the agent package, check it and start it.
          </p>
        </div>
      ) : (
        <>
          <FleetOverview live={live} hosts={hosts} diagnoses={diagnoses} />
          <section aria-labelledby="hosts-title-list">
            <h2 id="hosts-title-list" className="hosts-heading">
              Hosts
            </h2>
            {hosts.map((host) => (
              <HostCard key={host.id} host={host} history={history[host.id] ?? []} diagnoses={diagnoses[host.id]} />
            ))}
          </section>
        </>
      )}
    </>
  );
}
