import type { NetnsSummary } from '@ctscope/protocol';
import { useState } from 'react';
import { formatAgo, formatCount, formatPercent, usageLevel } from '../format';
import { namespaceView, SOURCE_LABELS, TOP_NAMESPACES } from './namespaces';

/**
 * Entries per network namespace against the one nf_conntrack_max they all share: a pod or container
 * filling its own namespace fills the host's table too.
 */
export function NamespacesPanel({ hostId, summary: received, max }: { hostId: string; summary: NetnsSummary | undefined; max: number }) {
  const [showAll, setShowAll] = useState(false);
  // Agents send the counts once per pass (10 s or more), not with every sample: keep the last ones seen.
  const [kept, setKept] = useState<{ hostId: string; summary: NetnsSummary } | null>(null);
  if (received && (kept?.hostId !== hostId || kept.summary !== received)) setKept({ hostId, summary: received });
  const summary = received ?? (kept?.hostId === hostId ? kept.summary : undefined);
  if (!summary) {
    return (
      <section className="netns" aria-label="Namespaces">
        <h3>Namespaces</h3>
        <p className="muted small">Waiting for the agent&apos;s first count of every network namespace on this host…</p>
      </section>
    );
  }
  const view = namespaceView(summary, showAll);
  const percent = max > 0 ? (view.total / max) * 100 : 0;
  const listed = view.rows.length + view.hidden;
  return (
    <section className="netns" aria-label="Namespaces">
      <h3>Namespaces</h3>
      <p className="muted small" data-testid="netns-total">
        {formatCount(view.total)} entries in {formatCount(view.counted)} {view.counted === 1 ? 'namespace' : 'namespaces'} of {formatCount(max)} max ({formatPercent(percent)}): every
        namespace counts against the host&apos;s one nf_conntrack_max. Counted {formatAgo(summary.at)}.
      </p>
      <div className="usage-bar" title={`${formatCount(view.total)} of ${formatCount(max)}`}>
        <div className={`usage-fill level-${usageLevel(percent)}`} style={{ width: `${Math.min(100, percent)}%` }} />
      </div>
      {summary.truncated && (
        <p className="error small">More than 4,096 namespaces on this host ({formatCount(summary.seen)}): the agent counts the first 4,096 of each pass.</p>
      )}
      {summary.unreadable > 0 && (
        <p className="alert alert-warning small" data-testid="netns-unreadable">
          {formatCount(summary.unreadable)} {summary.unreadable === 1 ? 'namespace' : 'namespaces'} could not be joined and {summary.unreadable === 1 ? 'is' : 'are'} not counted. Counting
          inside other namespaces needs CAP_SYS_ADMIN and CAP_SYS_PTRACE for the agent, which its packaged service does not have: see &quot;Per-namespace counts&quot; in the README to
          allow it.
        </p>
      )}
      <ol className="netns-list">
        {view.rows.map((ns) => {
          const share = max > 0 ? (ns.entries / max) * 100 : 0;
          return (
            <li key={ns.netns} title={`net:[${ns.netns}] — ${formatPercent(share)} of nf_conntrack_max`}>
              <span className={`badge badge-ns badge-ns-${ns.source}`} title={SOURCE_LABELS[ns.source].title}>
                {SOURCE_LABELS[ns.source].label}
              </span>
              <span className="netns-name">{ns.name}</span>
              <span className="netns-count">{formatCount(ns.entries)}</span>
              <span className="netns-share muted">{formatPercent(share)}</span>
              <span className="netns-bar" aria-hidden="true">
                <span className="netns-fill" style={{ width: `${ns.entries > 0 ? Math.max(0.5, Math.min(100, share)) : 0}%` }} />
              </span>
            </li>
          );
        })}
      </ol>
      {summary.others.namespaces > 0 && showAll && (
        <p className="muted small">
          and {formatCount(summary.others.namespaces)} smaller namespaces with {formatCount(summary.others.entries)} entries in all (the agent sends the {listed} largest).
        </p>
      )}
      {(view.hidden > 0 || (showAll && listed > TOP_NAMESPACES)) && (
        <button type="button" className="link-button small" onClick={() => setShowAll(!showAll)} aria-expanded={showAll}>
          {showAll ? `Show the top ${TOP_NAMESPACES}` : `Show all ${formatCount(listed)}`}
        </button>
      )}
    </section>
  );
}
