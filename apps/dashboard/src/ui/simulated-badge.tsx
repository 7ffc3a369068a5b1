import type { HostSummary } from '@ctscope/protocol';

/** Marks hosts of the fleet simulation (recorded kernel traffic replayed), so nobody mistakes them for real ones. */
export function SimulatedBadge({ host }: { host: HostSummary | null }) {
  if (host?.agent?.source !== 'replay') return null;
  return (
    <span className="badge badge-simulated" title="Simulated host: an agent replaying recorded kernel traffic (ctscope simulate), not a real machine">
      simulated
    </span>
  );
}
