import type { WindowResult } from '@ctscope/protocol';
import { formatCount } from '../format';
import { formatClock } from '../flow-format';

interface Props {
  result: WindowResult | null;
  loading: boolean;
  paused: boolean;
  held: number;
  receivedAt: number | null;
  /** Whether the page's socket is live (until it is, the rows shown are the page's first window). */
  connected: boolean;
}

/** How many entries match, how many are tracked, and whether the view is live. */
export function WindowStatus({ result, loading, paused, held, receivedAt, connected }: Props) {
  return (
    <div className="window-status" role="status" aria-live="polite">
      {result ? (
        <span>
          <strong data-testid="match-total">{formatCount(result.total)}</strong> matching of <span data-testid="table-size">{formatCount(result.size)}</span> tracked
        </span>
      ) : (
        <span className="muted">{loading ? 'Loading…' : '—'}</span>
      )}
      {paused ? (
        <span className="badge badge-paused">paused{held > 0 ? ` · ${held} update${held === 1 ? '' : 's'} held` : ''}</span>
      ) : connected ? (
        <span className="badge badge-online">live</span>
      ) : (
        <span className="badge badge-offline">not live</span>
      )}
      {result && (
        <span className="muted small">
          agent {result.tookMs.toFixed(1)} ms{receivedAt ? ` · updated ${formatClock(receivedAt)}` : ''}
          {loading ? ' · loading…' : ''}
        </span>
      )}
    </div>
  );
}
