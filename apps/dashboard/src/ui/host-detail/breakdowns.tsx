'use client';

import type { Aggregates, KeyCount } from '@ctscope/protocol';
import Link from 'next/link';
import { formatCount } from '../format';

interface Props {
  hostId: string;
  data: Aggregates;
}

/** A ranked list with proportional bars; each row pivots to the connections page filtered by it. */
function Ranked({ title, rows, total, hostId, query, limitLink = false }: { title: string; rows: KeyCount[]; total: number; hostId: string; query: (key: string) => string | null; limitLink?: boolean }) {
  return (
    <section className="ranked" aria-label={title}>
      <h3>{title}</h3>
      {rows.length === 0 ? (
        <p className="muted small">Nothing yet.</p>
      ) : (
        <ol>
          {rows.map((row) => {
            const q = query(row.key);
            const label = <span className="ranked-key">{row.key}</span>;
            return (
              <li key={row.key}>
                {q ? <Link href={`/connections?host=${encodeURIComponent(hostId)}&q=${encodeURIComponent(q)}`}>{label}</Link> : label}
                {limitLink && (
                  <Link className="ranked-action" href={`/rules?host=${encodeURIComponent(hostId)}&src=${encodeURIComponent(row.key)}`} title={`Build a per-source connection limit starting from ${row.key}`}>
                    limit…
                  </Link>
                )}
                <span className="ranked-count">{formatCount(row.count)}</span>
                <span className="ranked-bar" style={{ width: `${total > 0 ? Math.max(1, (row.count / total) * 100) : 0}%` }} />
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}

const portQuery = (key: string) => {
  const [proto, port] = key.split('/');
  return proto && port ? `${proto} dport:${port}` : null;
};
const pairQuery = (key: string) => {
  const [src, dst] = key.split(' → ');
  return src && dst ? `src:${src} dst:${dst}` : null;
};
const stateQuery = (key: string) => {
  const [proto, state] = key.split(' ');
  return proto && state ? `${proto} state:${state.toLowerCase()}` : null;
};

/** What fills the table: protocols, states, top sources, destinations, ports and pairs. */
export function Breakdowns({ hostId, data }: Props) {
  return (
    <div className="breakdowns">
      <Ranked title="By protocol" rows={data.byProtocol} total={data.total} hostId={hostId} query={(k) => k} />
      <Ranked title="By state" rows={data.byState.slice(0, 10)} total={data.total} hostId={hostId} query={stateQuery} />
      <Ranked title="Top sources" rows={data.topSources} total={data.total} hostId={hostId} query={(k) => `src:${k}`} limitLink />
      <Ranked title="Top destinations" rows={data.topDestinations} total={data.total} hostId={hostId} query={(k) => `dst:${k}`} />
      <Ranked title="Top destination ports" rows={data.topDestinationPorts} total={data.total} hostId={hostId} query={portQuery} />
      <Ranked title="Top source → destination" rows={data.topPairs} total={data.total} hostId={hostId} query={pairQuery} />
    </div>
  );
}
