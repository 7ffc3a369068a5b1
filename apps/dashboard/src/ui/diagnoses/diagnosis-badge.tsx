import type { DiagnosisCount } from '@ctscope/protocol';
import { badgeText, DIAGNOSIS_LABELS, diagnosesHref } from './diagnosis-view';

/**
 * A host's active diagnoses as one badge in the colour of the worst, linking to the host page's panel;
 * the kinds show on hover and on keyboard focus (the link's title and its accessible name).
 */
export function DiagnosisBadge({ count, hostname }: { count: DiagnosisCount | undefined; hostname: string }) {
  if (!count || count.count === 0) return null;
  const { label, title } = badgeText(count);
  return (
    <a className={`diagnosis-badge diagnosis-badge-${count.worst ?? 'info'}`} href={diagnosesHref(count.hostId)} title={title} aria-label={`${hostname}: ${title}`} data-testid="diagnosis-badge">
      <span aria-hidden="true">⚑ {count.count}</span>
      <span className="diagnosis-badge-kinds" role="tooltip">
        {label}
        <br />
        {count.names.map((n) => DIAGNOSIS_LABELS[n]).join(' · ')}
      </span>
    </a>
  );
}
