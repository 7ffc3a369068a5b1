import type { DiagnosisCount } from '@ctscope/protocol';
import { badgeText, DIAGNOSIS_LABELS, diagnosesHref } from './diagnosis-view';

/**
 * A host's active diagnoses as one badge in the colour of the worst, linking to the host page's panel.
 * The kinds show on hover and on keyboard focus (a popover, the title and the accessible name), or next
 * to the badge (`inline`, where a popover would be clipped, as in a table).
 */
export function DiagnosisBadge({ count, hostname, inline = false }: { count: DiagnosisCount | undefined; hostname: string; inline?: boolean }) {
  if (!count || count.count === 0) return null;
  const { label, title } = badgeText(count);
  const kinds = count.names.map((n) => DIAGNOSIS_LABELS[n]).join(' · ');
  return (
    <span className="diagnosis-badge-wrap">
      <a className={`diagnosis-badge diagnosis-badge-${count.worst ?? 'info'}`} href={diagnosesHref(count.hostId)} title={title} aria-label={`${hostname}: ${title}`} data-testid="diagnosis-badge">
        <span aria-hidden="true">⚑ {count.count}</span>
        {!inline && (
          <span className="diagnosis-badge-kinds" aria-hidden="true">
            <strong>{label}</strong>
            <br />
            {kinds}
          </span>
        )}
      </a>
      {inline && (
        <span className="diagnosis-badge-inline small" aria-hidden="true">
          {kinds}
        </span>
      )}
    </span>
  );
}
