'use client';

import { EVENT_TYPES, type EventStreamSpec, type WireEventType } from '@ctscope/protocol';
import { useEffect, useMemo, useRef, useState } from 'react';
import { formatCount } from '../format';
import { exportFileName } from '../export/file-name';
import { downloadText } from '../flow-format';
import { HostBar } from '../live/host-bar';
import { NoHosts } from '../live/no-hosts';
import { useChosenHost } from '../live/use-host-directory';
import { useLiveSocket } from '../live/use-live-socket';
import { replaceSearchParams } from '../live/url-state';
import { checkQuery } from '../query/check-query';
import { QueryInput, type QueryError } from '../query/query-input';
import { NO_SEEN_VALUES } from '../query/suggest';
import { EventList } from './event-list';
import { toCsv, toJsonLines } from './export-events';
import { EVENT_BUFFER_SIZE, useEventStream } from './use-event-stream';

const APPLY_DELAY_MS = 400;

export interface EventsViewProps {
  initialHost: string | null;
  initialQuery: string;
  initialTypes: WireEventType[];
}

export function EventsView({ initialHost, initialQuery, initialTypes }: EventsViewProps) {
  const live = useLiveSocket();
  const { hosts, hostsError, hostId, host, setRequestedHost } = useChosenHost(live, initialHost);

  const [draft, setDraft] = useState(initialQuery);
  const [applied, setApplied] = useState(initialQuery);
  const [types, setTypes] = useState<WireEventType[]>(initialTypes);
  const [paused, setPaused] = useState(false);
  const [jump, setJump] = useState<{ seq: number } | null>(null);
  const queryRef = useRef<HTMLInputElement>(null);

  const check = useMemo(() => checkQuery(draft), [draft]);
  const spec = useMemo<EventStreamSpec>(() => ({ query: applied, types }), [applied, types]);
  const stream = useEventStream({ live, hostId, hostOnline: host?.online ?? false, spec, paused });

  const apply = (text: string) => {
    if (!checkQuery(text).ok) return;
    setApplied(text);
    replaceSearchParams({ q: text.trim() === '' ? null : text });
  };
  useEffect(() => {
    if (!check.ok || draft === applied) return;
    const timer = setTimeout(() => {
      setApplied(draft);
      replaceSearchParams({ q: draft.trim() === '' ? null : draft });
    }, APPLY_DELAY_MS);
    return () => clearTimeout(timer);
  }, [draft, applied, check.ok]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement;
      if (e.key === '/' && !typing) {
        e.preventDefault();
        queryRef.current?.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const toggleType = (type: WireEventType) => {
    const next = types.includes(type) ? types.filter((t) => t !== type) : EVENT_TYPES.filter((t) => t === type || types.includes(t));
    if (next.length === 0) return;
    setTypes(next);
    replaceSearchParams({ types: next.length === EVENT_TYPES.length ? null : next.join(',') });
  };

  const changeHost = (id: string) => {
    setRequestedHost(id);
    replaceSearchParams({ host: id });
  };

  const queryError: QueryError | null = !check.ok ? { message: check.message, start: check.start, end: check.end } : stream.error?.code === 'BAD_REQUEST' ? { message: stream.error.message } : null;
  const otherError = stream.error && stream.error.code !== 'BAD_REQUEST' ? stream.error : null;
  const counts = useMemo(() => {
    const byType: Record<WireEventType, number> = { NEW: 0, UPDATE: 0, DESTROY: 0 };
    for (const item of stream.items) if (item.kind === 'event') byType[item.type]++;
    return byType;
  }, [stream.items]);
  const events = counts.NEW + counts.UPDATE + counts.DESTROY;

  return (
    <section className="events-page" aria-labelledby="page-title">
      <HostBar title="Live events" hosts={hosts} hostId={hostId} onHost={changeHost} connection={live.connection} />
      {(hostsError ?? live.error) && (
        <p className="error" role="alert">
          {hostsError ?? live.error}
        </p>
      )}
      {hosts && hosts.length === 0 ? (
        <NoHosts />
      ) : (
        <>
          <div className="query-bar">
            <QueryInput label="Filter" value={draft} onChange={setDraft} onSubmit={apply} seen={NO_SEEN_VALUES} error={queryError} inputRef={queryRef} errorNote="the stream keeps the last valid filter" placeholder="tcp dport:443 !assured · or paste -p udp · press / to focus" />
            <fieldset className="type-filter">
              <legend className="muted small">Types</legend>
              {EVENT_TYPES.map((type) => (
                <label key={type} className={`type-toggle type-${type.toLowerCase()}`}>
                  <input type="checkbox" checked={types.includes(type)} onChange={() => toggleType(type)} />
                  {type}
                </label>
              ))}
            </fieldset>
          </div>

          <div className="toolbar">
            <div className="window-status" role="status">
              <span>
                <strong data-testid="event-rate">{stream.rate < 10 ? stream.rate.toFixed(1) : formatCount(Math.round(stream.rate))}</strong> events/s
              </span>
              <span className="muted small">
                <span data-testid="on-screen">{formatCount(events)}</span> on screen (last {formatCount(EVENT_BUFFER_SIZE)} kept) · {formatCount(stream.received)} received
              </span>
              <span className="type-counts small">
                {EVENT_TYPES.map((type) => (
                  <span key={type} className={`type-count type-text-${type.toLowerCase()}`} data-testid={`count-${type}`} title={`${type} events on screen`}>
                    {type} {formatCount(counts[type])}
                  </span>
                ))}
              </span>
              {stream.dropped > 0 && (
                <button
                  type="button"
                  className="badge badge-dropped"
                  data-testid="dropped-total"
                  title="Show where events were dropped"
                  onClick={() => {
                    const marker = stream.items.find((i) => i.kind === 'dropped');
                    if (marker) setJump({ seq: marker.seq });
                  }}
                >
                  dropped {formatCount(stream.dropped)} ↓
                </button>
              )}
              {paused ? (
                <span className="badge badge-paused">paused{stream.heldCount > 0 ? ` · ${formatCount(stream.heldCount)} waiting` : ''}</span>
              ) : (
                <span className={`badge ${stream.subscribed ? 'badge-online' : 'badge-offline'}`}>{stream.subscribed ? 'live' : 'connecting'}</span>
              )}
            </div>
            <div className="toolbar-actions">
              <button type="button" className="secondary" aria-pressed={paused} onClick={() => setPaused((p) => !p)}>
                {paused ? 'Resume' : 'Pause'}
              </button>
              <button type="button" className="secondary" onClick={stream.clear} disabled={stream.items.length === 0}>
                Clear
              </button>
              <span className="muted small export-scope" title="Exports exactly the events on screen (the page keeps the newest ones only)">
                Export the {formatCount(events)} on screen:
              </span>
              <button type="button" className="secondary" disabled={stream.items.length === 0} onClick={() => downloadText(exportFileName('events', hostId, 'jsonl'), toJsonLines(stream.items), 'application/x-ndjson')}>
                Export JSON lines
              </button>
              <button type="button" className="secondary" disabled={stream.items.length === 0} onClick={() => downloadText(exportFileName('events', hostId, 'csv'), toCsv(stream.items), 'text/csv')}>
                Export CSV
              </button>
            </div>
          </div>
          {otherError && (
            <p className="error" role="alert">
              {otherError.message}
            </p>
          )}
          {stream.items.length === 0 ? (
            <div className="empty event-empty">
              {stream.subscribed ? (
                <>
                  <h2>Waiting for events</h2>
                  <p>
                    Nothing matching {applied.trim() ? <code>{applied}</code> : 'the chosen types'} has happened since this page opened. Events appear here as connections are
                    created, updated and destroyed{paused ? ' (paused: new events wait until you resume)' : ''}.
                  </p>
                </>
              ) : (
                <p className="muted" aria-busy="true">
                  {otherError ? 'Not subscribed.' : 'Subscribing…'}
                </p>
              )}
            </div>
          ) : (
            <EventList items={stream.items} jump={jump} />
          )}
        </>
      )}
    </section>
  );
}
