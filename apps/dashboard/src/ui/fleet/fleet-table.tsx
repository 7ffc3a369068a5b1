import { usagePercent, type DiagnosisCount, type HostSummary } from '@ctscope/protocol';
import { DiagnosisBadge } from '../diagnoses/diagnosis-badge';
import { formatCount, formatPercent, usageLevel } from '../format';

const usageOf = (host: HostSummary) => (host.latest ? usagePercent(host.latest) : -1);

/** Every host, fullest table first, with its active alerts: where to look first. */
export function FleetTable({ hosts, diagnoses = {} }: { hosts: readonly HostSummary[]; diagnoses?: Record<string, DiagnosisCount> }) {
  const rows = [...hosts].sort((a, b) => usageOf(b) - usageOf(a) || a.hostname.localeCompare(b.hostname));
  return (
    <table className="data-table fleet-table" aria-label="hosts by table usage">
      <thead>
        <tr>
          <th scope="col">Host</th>
          <th scope="col">Status</th>
          <th scope="col" className="num">
            Entries
          </th>
          <th scope="col" className="num">
            Max
          </th>
          <th scope="col">Usage</th>
          <th scope="col" className="num">
            Active alerts
          </th>
          <th scope="col">Diagnoses</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((host) => {
          const sample = host.latest;
          const percent = sample ? usagePercent(sample) : 0;
          const level = usageLevel(percent);
          const alerts = sample?.alerts ?? [];
          const critical = alerts.some((a) => a.severity === 'critical');
          return (
            <tr key={host.id} data-host-id={host.id}>
              <th scope="row">
                <a href={`/hosts/${encodeURIComponent(host.id)}`}>{host.hostname}</a>
                {host.id !== host.hostname && <span className="muted small host-id"> {host.id}</span>}
              </th>
              <td>
                <span className={`badge ${host.online ? 'badge-online' : 'badge-offline'}`}>{host.online ? 'online' : 'offline'}</span>
              </td>
              <td className="num" data-column="count">
                {sample ? formatCount(sample.count) : '—'}
              </td>
              <td className="num" data-column="max">
                {sample ? formatCount(sample.max) : '—'}
              </td>
              <td data-column="usage">
                {sample ? (
                  <span className="fleet-usage">
                    <span className={`level-${level}`}>{formatPercent(percent)}</span>
                    <span className="usage-bar" aria-hidden="true">
                      <span className={`usage-fill level-${level}`} style={{ width: `${Math.min(100, percent)}%` }} />
                    </span>
                  </span>
                ) : (
                  '—'
                )}
              </td>
              <td className="num" data-column="alerts">
                {alerts.length === 0 ? (
                  <span className="muted">0</span>
                ) : (
                  <span className={`badge ${critical ? 'badge-error' : 'badge-warn'}`} title={alerts.map((a) => a.message).join('\n')}>
                    {alerts.length}
                  </span>
                )}
              </td>
              <td data-column="diagnoses">{diagnoses[host.id]?.count ? <DiagnosisBadge count={diagnoses[host.id]} hostname={host.hostname} inline /> : <span className="muted">—</span>}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
