import { DIAGNOSIS_NAMES, DIAGNOSIS_SEVERITIES, type Diagnosis, type DiagnosisCount, type DiagnosisFix, type DiagnosisName } from '@ctscope/protocol';

type Severity = Diagnosis['severity'];

/** What each kind of diagnosis is called on the page (the badge's hover text, the card's kicker). */
export const DIAGNOSIS_LABELS: Record<DiagnosisName, string> = {
  'udp-black-hole': 'UDP black hole',
  'insert-failed-race': 'insert_failed race',
  'invalid-drops': 'INVALID drops',
  'table-filled-by-state': 'Table filled by one state',
  'settings-set-back': 'Settings that will be set back',
};

export const SEVERITY_LABELS: Record<Severity, string> = { info: 'Info', warning: 'Warning', critical: 'Critical' };

const rank = (s: Severity) => DIAGNOSIS_SEVERITIES.indexOf(s);

/** Worst first, then the oldest first (what has lasted longest), then in the protocol's order of kinds. */
export function sortDiagnoses(active: readonly Diagnosis[]): Diagnosis[] {
  return [...active].sort((a, b) => rank(b.severity) - rank(a.severity) || a.since - b.since || DIAGNOSIS_NAMES.indexOf(a.name) - DIAGNOSIS_NAMES.indexOf(b.name));
}

/** The connections page of a host, filtered (the same link Growth's keys make). */
export const connectionsHref = (hostId: string, query: string): string => `/connections?host=${encodeURIComponent(hostId)}&q=${encodeURIComponent(query)}`;

/** The host page's diagnoses panel (the overview's badges link here). */
export const diagnosesHref = (hostId: string): string => `/hosts/${encodeURIComponent(hostId)}#diagnoses`;

/** A sysctl fix as the tuning page's pending changes (what sysctl:preview and sysctl:apply take). */
export function sysctlChangesOf(fix: Extract<DiagnosisFix, { kind: 'sysctl' }>): { name: string; value: number }[] {
  return Object.entries(fix.changes).map(([name, value]) => ({ name, value }));
}

/** A rule fix's confirmation deadline: applied for `expiresInSeconds` and never confirmed, so the agent removes it again. */
export const ruleDeadlineMs = (fix: Extract<DiagnosisFix, { kind: 'rule' }>): number | undefined => (fix.expiresInSeconds === undefined ? undefined : fix.expiresInSeconds * 1000);

/** Whether this role may run a fix's preview: deleting has its dry run, which the dashboard counts as a change (operators only). */
export const mayPreview = (fix: DiagnosisFix, mayChange: boolean): boolean => fix.kind !== 'advice' && (fix.kind !== 'delete' || mayChange);

/** The badge's text for people who cannot see its colour, and its hover/focus text. */
export function badgeText(count: DiagnosisCount): { label: string; title: string } {
  const kinds = count.names.map((n) => DIAGNOSIS_LABELS[n]);
  const what = `${count.count} diagnos${count.count === 1 ? 'is' : 'es'}`;
  return { label: `${what}${count.worst ? `, worst ${count.worst}` : ''}`, title: kinds.length > 0 ? `${what}: ${kinds.join(', ')}` : what };
}

/** "for 3 min": how long a condition has lasted, from when it was first seen (dashboard clock). */
export function formatLasting(since: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - since) / 1000));
  if (seconds < 60) return `for ${seconds} s`;
  if (seconds < 7_200) return `for ${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `for ${Math.round(seconds / 3_600)} h`;
  return `for ${Math.round(seconds / 86_400)} days`;
}
