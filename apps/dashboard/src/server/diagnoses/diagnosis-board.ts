import { DIAGNOSIS_NAMES, DIAGNOSIS_SEVERITIES, type DiagnosisCount, type DiagnosisName, type DiagnosisReport, type DiagnosisSeverity } from '@ctscope/protocol';

export interface DiagnosisListener {
  /** A host's report changed; null: it is forgotten (the host went offline). */
  reported(hostId: string, report: DiagnosisReport | null): void;
  /** A host's count, worst severity or kinds changed (not called when only details changed). */
  counted(count: DiagnosisCount): void;
}

/** Other dashboard servers, told about the reports of the agents this one holds (cluster mode only). */
export interface DiagnosisPeers {
  reported(hostId: string, connectionId: string, report: DiagnosisReport): void;
}

/** Reports other servers may announce; bounded by the hosts table, this is a backstop (as the registry's). */
const MAX_HOSTS = 100_000;

const SEVERITY_RANK: Record<DiagnosisSeverity, number> = Object.fromEntries(DIAGNOSIS_SEVERITIES.map((s, i) => [s, i])) as Record<DiagnosisSeverity, number>;

/** The badge of a host: how many diagnoses, the worst severity, and the kinds (worst first, then in the protocol's order). */
export function countOf(hostId: string, report: DiagnosisReport | null): DiagnosisCount {
  const active = report?.active ?? [];
  let worst: DiagnosisSeverity | null = null;
  const rank = new Map<DiagnosisName, number>();
  for (const d of active) {
    if (worst === null || SEVERITY_RANK[d.severity] > SEVERITY_RANK[worst]) worst = d.severity;
    rank.set(d.name, Math.max(rank.get(d.name) ?? -1, SEVERITY_RANK[d.severity]));
  }
  const names = [...rank.keys()].sort((a, b) => (rank.get(b) ?? 0) - (rank.get(a) ?? 0) || DIAGNOSIS_NAMES.indexOf(a) - DIAGNOSIS_NAMES.indexOf(b));
  return { hostId, count: active.length, worst, names };
}

const sameCount = (a: DiagnosisCount, b: DiagnosisCount) => a.count === b.count && a.worst === b.worst && a.names.join() === b.names.join();

/**
 * A report with its times moved from the agent's clock to the dashboard's: the agent stamps `at` when it
 * sends, so `now - at` is its clock's offset (plus the trip, a few ms). The page then shows "since 3 min"
 * right whatever the agent's clock says.
 */
export function toDashboardClock(report: DiagnosisReport, now: number): DiagnosisReport {
  const offset = now - report.at;
  return { at: now, active: report.active.map((d) => ({ ...d, since: Math.max(0, d.since + offset) })) };
}

/**
 * The latest diagnosis report of every online host, in memory only: an agent reports on connect, on
 * change and every 30 s, so nothing is lost by not storing them. A host's report is forgotten when it goes
 * offline (the page then says it cannot know). With several dashboard servers, the one holding the agent
 * hands each report to the others (`usePeers`, `remoteReported`).
 */
export class DiagnosisBoard {
  private readonly reports = new Map<string, { report: DiagnosisReport; count: DiagnosisCount; local: boolean; connectionId: string }>();
  private readonly listeners = new Set<DiagnosisListener>();
  private peers: DiagnosisPeers | undefined;

  subscribe(listener: DiagnosisListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  usePeers(peers: DiagnosisPeers): void {
    this.peers = peers;
  }

  /** A report from an agent connected to this server (its times already on the dashboard's clock). */
  reported(hostId: string, connectionId: string, report: DiagnosisReport): void {
    if (!this.store(hostId, connectionId, report, true)) return;
    this.peers?.reported(hostId, connectionId, report);
  }

  /** A report another server relayed for the agent it holds. */
  remoteReported(hostId: string, connectionId: string, report: DiagnosisReport): void {
    this.store(hostId, connectionId, report, false);
  }

  /** The host went offline (here or elsewhere): its diagnoses are no longer known. */
  cleared(hostId: string): void {
    const known = this.reports.get(hostId);
    if (!known) return;
    this.reports.delete(hostId);
    for (const l of this.listeners) {
      l.reported(hostId, null);
      l.counted(countOf(hostId, null));
    }
  }

  latest(hostId: string): DiagnosisReport | null {
    return this.reports.get(hostId)?.report ?? null;
  }

  /** Every host with a known report (the others have none to show). */
  counts(): DiagnosisCount[] {
    return [...this.reports.values()].map((r) => r.count);
  }

  /** The reports of the agents this server holds, for a server that joined the cluster late. */
  localReports(): { hostId: string; connectionId: string; report: DiagnosisReport }[] {
    return [...this.reports.entries()].filter(([, r]) => r.local).map(([hostId, r]) => ({ hostId, connectionId: r.connectionId, report: r.report }));
  }

  private store(hostId: string, connectionId: string, report: DiagnosisReport, local: boolean): boolean {
    const previous = this.reports.get(hostId);
    if (!previous && this.reports.size >= MAX_HOSTS) return false;
    const count = countOf(hostId, report);
    this.reports.set(hostId, { report, count, local, connectionId });
    const countChanged = !sameCount(previous?.count ?? countOf(hostId, null), count);
    for (const l of this.listeners) {
      l.reported(hostId, report);
      if (countChanged) l.counted(count);
    }
    return true;
  }
}
