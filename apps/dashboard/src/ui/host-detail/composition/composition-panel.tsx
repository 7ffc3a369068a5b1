'use client';

import type { Composition, KeyCount, RankedList } from '@ctscope/protocol';
import Link from 'next/link';
import { useState } from 'react';
import { formatAgo, formatCount } from '../../format';
import type { LiveSocket } from '../../live/use-live-socket';
import { connectionsQuery, fromLocalInput, toLocalInput } from './queries';
import { useCompositionAt } from './use-composition';

const SHOWN = 10;

function KeyList({ title, rows, total, link, rest }: { title: string; rows: readonly KeyCount[]; total: number; link?: ((key: string) => string | null) | undefined; rest?: number }) {
  return (
    // A group, not a region: the live breakdowns below are the page's "By protocol", "Top sources"... regions.
    <div className="ranked" role="group" aria-label={`Composition ${title.toLowerCase()}`}>
      <h3>{title}</h3>
      {rows.length === 0 ? (
        <p className="muted small">None.</p>
      ) : (
        <ol>
          {rows.slice(0, SHOWN).map((row) => {
            const href = link?.(row.key);
            const label = <span className="ranked-key">{row.key}</span>;
            return (
              <li key={row.key}>
                {href ? <Link href={href}>{label}</Link> : label}
                <span className="ranked-count">{formatCount(row.count)}</span>
                <span className="ranked-bar" style={{ width: `${total > 0 ? Math.max(1, (row.count / total) * 100) : 0}%` }} />
              </li>
            );
          })}
        </ol>
      )}
      {rest !== undefined && rest > 0 && <p className="muted small">Keys not listed had at most {formatCount(rest)} entries each.</p>}
    </div>
  );
}

function Ranked({ title, list, total, link }: { title: string; list: RankedList; total: number; link?: (key: string) => string | null }) {
  return <KeyList title={title} rows={list.top} total={total} link={link} rest={list.rest} />;
}

function CompositionLists({ hostId, data, linked }: { hostId: string; data: Composition; linked: boolean }) {
  const href = (query: string | null) => (query && linked ? `/connections?host=${encodeURIComponent(hostId)}&q=${encodeURIComponent(query)}` : null);
  const namespaces = data.byNetns.map((n) => ({ key: n.source === 'host' ? 'host' : `${n.source} ${n.name}`, count: n.entries }));
  return (
    <div className="breakdowns" data-testid="composition-lists">
      <KeyList title="By protocol" rows={data.byProtocol} total={data.total} link={(k) => href(k)} />
      <KeyList title="By state" rows={data.byState} total={data.total} />
      <KeyList title="By status flag" rows={data.byStatus} total={data.total} />
      <KeyList title="By network namespace" rows={namespaces} total={data.total} />
      <Ranked title="Top sources" list={data.sources} total={data.total} link={(k) => href(connectionsQuery('source', k))} />
      <Ranked title="Top destinations" list={data.destinations} total={data.total} link={(k) => href(connectionsQuery('destination', k))} />
      <Ranked title="Top destination ports" list={data.ports} total={data.total} link={(k) => href(connectionsQuery('port', k))} />
      <Ranked title="Top source → destination" list={data.pairs} total={data.total} link={(k) => href(connectionsQuery('pair', k))} />
    </div>
  );
}

interface Props {
  live: LiveSocket;
  hostId: string;
  /** The moment shown (ms), or null for the newest summary. */
  moment: number | null;
  onMoment(moment: number | null): void;
}

/** What the table held at a moment: pick a time (or click the entries chart), or follow the newest summary. */
export function CompositionPanel({ live, hostId, moment, onMoment }: Props) {
  const state = useCompositionAt(live, hostId, moment);
  const [draft, setDraft] = useState<string | null>(null);
  const data = state.data;
  const inputValue = draft ?? (moment === null ? '' : toLocalInput(moment));
  return (
    <section className="composition" aria-labelledby="composition-title">
      <div className="composition-head">
        <h2 id="composition-title">Composition</h2>
        <form
          className="moment-picker"
          onSubmit={(e) => {
            e.preventDefault();
            const at = fromLocalInput(inputValue);
            setDraft(null);
            onMoment(at);
          }}
        >
          <label>
            Moment <input type="datetime-local" step={1} value={inputValue} onChange={(e) => setDraft(e.target.value)} aria-label="Composition moment" />
          </label>
          <button type="submit">Show</button>
          <button
            type="button"
            disabled={moment === null}
            onClick={() => {
              setDraft(null);
              onMoment(null);
            }}
          >
            Now
          </button>
        </form>
      </div>
      <p className="muted small" data-testid="composition-at">
        {state.loading && !data
          ? 'Loading composition…'
          : data
            ? `${moment === null ? 'Newest summary' : 'Summary nearest the moment'}: ${new Date(data.at).toLocaleString()} (${formatAgo(data.at)}), ${formatCount(data.total)} entries. Summaries are taken every 10 s; click the entries chart to pick a moment.`
            : 'No composition summary stored for this host yet: the agent sends one every 10 s.'}
      </p>
      {state.error && <p className="error small">{state.error}</p>}
      {data && <CompositionLists hostId={hostId} data={data} linked={moment === null} />}
    </section>
  );
}
