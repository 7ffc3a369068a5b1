'use client';

import type { GrowthRow } from '@ctscope/protocol';
import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { formatCount } from '../../format';
import type { LiveSocket } from '../../live/use-live-socket';
import { connectionsQuery, DIMENSION_LABEL, fromLocalInput, toLocalInput } from './queries';
import { useGrowth, type GrowthRange } from './use-composition';

const PRESETS = [5, 15, 60] as const;

/** A small line of a key's count over the interval; unknown points (below a summary's cut-off) leave a gap. */
function GrowthSparkline({ series, label }: { series: readonly (number | null)[]; label: string }) {
  const width = 160;
  const height = 32;
  const known = series.filter((v): v is number => v !== null);
  const max = Math.max(1, ...known);
  const step = series.length > 1 ? width / (series.length - 1) : width;
  let d = '';
  let pen = false;
  series.forEach((v, i) => {
    if (v === null) return void (pen = false);
    d += `${pen ? 'L' : 'M'}${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)} `;
    pen = true;
  });
  return (
    <svg width={width} height={height} role="img" aria-label={`${label}: from ${formatCount(known[0] ?? 0)} to ${formatCount(known[known.length - 1] ?? 0)}`} className="sparkline">
      <path d={d.trim()} className="sparkline-line" />
    </svg>
  );
}

function added(row: GrowthRow): string {
  if (row.exact) return `+${formatCount(row.added)}`;
  return `≥ +${formatCount(row.added)}`;
}

function GrowthTable({ rows, hostId, linked }: { rows: readonly GrowthRow[]; hostId: string; linked: boolean }) {
  return (
    <table className="growth-table" data-testid="growth-table">
      <thead>
        <tr>
          <th scope="col">Key</th>
          <th scope="col">Added</th>
          <th scope="col">Over the interval</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => {
          const query = linked ? connectionsQuery(row.dimension, row.key) : null;
          const text = `${DIMENSION_LABEL[row.dimension]} ${row.label}`;
          return (
            <tr key={`${row.dimension}:${row.key}`} data-testid="growth-row" data-dimension={row.dimension} data-key={row.key}>
              <td className="mono">{query ? <Link href={`/connections?host=${encodeURIComponent(hostId)}&q=${encodeURIComponent(query)}`}>{text}</Link> : text}</td>
              <td className="mono" title={row.exact ? 'exact' : `at least ${formatCount(row.added)}, at most ${formatCount(row.upTo)}: the key was below the top-50 cut-off at the start`}>
                {added(row)}
              </td>
              <td>
                <GrowthSparkline series={row.series} label={text} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Who filled the table: keys ranked by the entries they added over the last minutes or between two moments. */
export function GrowthView({ live, hostId }: { live: LiveSocket; hostId: string }) {
  const [range, setRange] = useState<GrowthRange>({ minutes: 5 });
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const growth = useGrowth(live, hostId, range);
  const data = growth.data;
  const linked = 'minutes' in range;
  const custom = (e: FormEvent) => {
    e.preventDefault();
    const a = fromLocalInput(from);
    const b = fromLocalInput(to);
    if (a !== null && b !== null && a < b) setRange({ from: a, to: b });
  };
  const invalid = from !== '' && to !== '' && (fromLocalInput(from) ?? 0) >= (fromLocalInput(to) ?? 0);
  return (
    <section className="growth" aria-labelledby="growth-title">
      <div className="composition-head">
        <h2 id="growth-title">Growth</h2>
        <div className="range-picker" role="group" aria-label="Growth interval">
          {PRESETS.map((minutes) => (
            <button key={minutes} type="button" aria-pressed={'minutes' in range && range.minutes === minutes} onClick={() => setRange({ minutes })}>
              Last {minutes} min
            </button>
          ))}
        </div>
        <form className="moment-picker" onSubmit={custom}>
          <label>
            From <input type="datetime-local" step={1} value={from} onChange={(e) => setFrom(e.target.value)} aria-label="Growth from" />
          </label>
          <label>
            to <input type="datetime-local" step={1} value={to} onChange={(e) => setTo(e.target.value)} aria-label="Growth to" />
          </label>
          <button type="submit" disabled={!from || !to || invalid}>
            Compare
          </button>
          {invalid && <span className="error small">The start must be before the end.</span>}
        </form>
      </div>
      {growth.error && <p className="error small">{growth.error}</p>}
      {growth.loading && !data ? (
        <p className="muted">Loading growth…</p>
      ) : !data?.from || !data.to || data.from.at === data.to.at || data.points.length < 2 ? (
        <p className="muted" data-testid="growth-empty">
          Not enough summaries in this interval yet: the agent sends one every 10 s.
        </p>
      ) : (
        <>
          <p className="muted small" data-testid="growth-span">
            From {new Date(data.from.at).toLocaleTimeString()} ({formatCount(data.from.total)} entries) to {new Date(data.to.at).toLocaleTimeString()} ({formatCount(data.to.total)} entries).
            {linked ? ' Each key opens its connections now.' : ''} Lists keep the top 50 keys of each summary: a key below that cut-off at the start shows “≥”, the least it can have added.
          </p>
          {data.rows.length === 0 ? <p className="muted">Nothing grew in this interval.</p> : <GrowthTable rows={data.rows} hostId={hostId} linked={linked} />}
        </>
      )}
      {'from' in range && (
        <p className="muted small">
          Comparing {toLocalInput(range.from).replace('T', ' ')} with {toLocalInput(range.to).replace('T', ' ')}. Pick a “Last” preset to follow now.
        </p>
      )}
    </section>
  );
}
