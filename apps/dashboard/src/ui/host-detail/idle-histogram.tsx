import type { Aggregates } from '@ctscope/protocol';
import { formatCount } from '../format';
import { formatDuration } from './forecast';

/** How long ESTABLISHED TCP entries have been idle: the case for a shorter established timeout. */
export function IdleHistogram({ idle }: { idle: Aggregates['idle'] }) {
  const total = idle.buckets.reduce((s, b) => s + b.count, 0);
  const highest = Math.max(1, ...idle.buckets.map((b) => b.count));
  let previous = 0;
  return (
    <section className="idle" aria-label="Idle established connections">
      <h3>Idle ESTABLISHED entries</h3>
      <p className="muted small">
        Idle time = configured timeout ({formatDuration(idle.timeoutSeconds)}) − time left. {formatCount(total)} {total === 1 ? "entry" : "entries"}.
      </p>
      <div className="idle-bars">
        {idle.buckets.map((b) => {
          const label = b.upToSeconds === null ? `> ${formatDuration(previous)}` : `≤ ${formatDuration(b.upToSeconds)}`;
          previous = b.upToSeconds ?? previous;
          return (
            <div className="idle-bar" key={label} title={`${formatCount(b.count)} entries idle ${label}`}>
              <span className="idle-fill" style={{ height: `${(b.count / highest) * 100}%` }} />
              <span className="idle-count">{formatCount(b.count)}</span>
              <span className="idle-label">{label}</span>
            </div>
          );
        })}
      </div>
    </section>
  );
}
