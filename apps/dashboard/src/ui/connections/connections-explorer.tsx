'use client';

import type { RowSelectionState } from '@tanstack/react-table';
import { ErrorCode, type WindowSpec, type WireFlow } from '@ctscope/protocol';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { formatCount } from '../format';
import { HostBar } from '../live/host-bar';
import { NoHosts } from '../live/no-hosts';
import { useChosenHost } from '../live/use-host-directory';
import { useLiveSocket } from '../live/use-live-socket';
import { canChange, useSessionUser } from '../live/use-session-user';
import type { FirstWindow } from '../../server/pages/first-window-bridge';
import { replaceSearchParams } from '../live/url-state';
import { checkQuery } from '../query/check-query';
import { applyPivot, type Pivot } from '../query/pivot';
import { seenValues } from '../query/suggest';
import { ColumnChooser } from './column-chooser';
import { useColumnVisibility } from './column-visibility-store';
import { DeleteMatchingDialog } from './delete-matching-dialog';
import { DeleteSelectedDialog } from './delete-selected-dialog';
import { FlowDetail } from './flow-detail';
import { FlowTableView } from './flow-table';
import { QueryBar } from './query-bar';
import { useFlowTable } from './use-flow-table';
import { useFlowWindow } from './use-flow-window';
import { WindowExport } from './window-export';
import { WINDOW_ROWS } from './window-rows';
import { WindowStatus } from './window-status';

/**
 * A valid filter is applied this long after the last keystroke (Enter applies at once). Shorter lets a
 * half-typed filter through (`udp` on the way to `udp dport:53`): over a million entries that is a query
 * over the whole table, which the final one then waits behind (measured: typed p95 429 ms at 80 ms, 269 ms
 * at 150 ms, on a busy machine).
 */
const APPLY_DELAY_MS = 150;
const EMPTY_ROWS: WireFlow[] = [];

export interface ExplorerProps {
  initialHost: string | null;
  initialQuery: string;
  initialSort: WindowSpec['sort'];
  /** The first window, read while the page was rendered (its rows come with the HTML), or null. */
  initial: FirstWindow | null;
}

export function ConnectionsExplorer({ initialHost, initialQuery, initialSort, initial }: ExplorerProps) {
  const live = useLiveSocket();
  const { hosts, hostsError, hostId, host, setRequestedHost } = useChosenHost(live, initialHost ?? initial?.hostId ?? null, initial?.hosts ?? null);
  const user = useSessionUser();
  const mayChange = canChange(user);

  const [draft, setDraft] = useState(initialQuery);
  const [applied, setApplied] = useState(initialQuery);
  const [sort, setSort] = useState(initialSort);
  const [offset, setOffset] = useState(0);
  const [paused, setPaused] = useState(false);
  const [selection, setSelection] = useState<RowSelectionState>({});
  const [visibility, setVisibility] = useColumnVisibility();
  const [cursor, setCursor] = useState(-1);
  const [detail, setDetail] = useState<WireFlow | null>(null);
  const [dialog, setDialog] = useState<'selected' | 'matching' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const gridRef = useRef<HTMLDivElement>(null);
  const queryRef = useRef<HTMLInputElement>(null);

  const check = useMemo(() => checkQuery(draft), [draft]);
  const spec = useMemo<WindowSpec>(() => ({ query: applied, sort, offset, limit: WINDOW_ROWS }), [applied, sort, offset]);
  // Until the host list arrives, a host named in the address is taken as online: subscribing at once,
  // and not again when the list confirms it (each subscribe is a query over the whole table).
  const win = useFlowWindow({ live, hostId, hostOnline: hosts === null || (host?.online ?? false), spec, paused, initialResult: initial?.result ?? null });
  const result = win.result;
  const rows = result?.rows ?? EMPTY_ROWS;
  const seen = useMemo(() => seenValues(rows), [rows]);

  const resetView = () => {
    setOffset(0);
    setCursor(-1);
    gridRef.current?.scrollTo({ top: 0 });
  };

  const apply = useCallback((text: string) => {
    setApplied(text);
    setOffset(0);
    setCursor(-1);
    gridRef.current?.scrollTo({ top: 0 });
    replaceSearchParams({ q: text.trim() === '' ? null : text });
  }, []);

  // A valid filter applies itself shortly after typing stops.
  useEffect(() => {
    if (!check.ok || draft === applied) return;
    const timer = setTimeout(() => apply(draft), APPLY_DELAY_MS);
    return () => clearTimeout(timer);
  }, [draft, applied, check.ok, apply]);

  const onSubmit = (text: string) => {
    if (checkQuery(text).ok) apply(text);
  };

  const pivot = (change: Pivot) => {
    const next = applyPivot(applied, change);
    setDraft(next);
    apply(next);
  };

  const changeSort = (next: WindowSpec['sort']) => {
    setSort(next);
    resetView();
    replaceSearchParams({ sort: next.column, desc: next.desc ? '1' : null });
  };

  const changeHost = (id: string) => {
    setRequestedHost(id);
    setSelection({});
    setDetail(null);
    resetView();
    replaceSearchParams({ host: id });
  };

  const onVisibleRange = useCallback((first: number, last: number) => {
    setOffset((current) => {
      const inside = first >= current && last < current + WINDOW_ROWS;
      const desired = Math.max(0, first - Math.floor((WINDOW_ROWS - (last - first)) / 2));
      return inside && Math.abs(desired - current) < WINDOW_ROWS / 4 ? current : desired;
    });
  }, []);

  const table = useFlowTable({ rows, sort, onSort: changeSort, selection, onSelection: setSelection, visibility, onVisibility: setVisibility, canSelect: mayChange });

  const toggleSelect = (key: string) =>
    setSelection((s) => {
      const next = { ...s };
      if (next[key]) delete next[key];
      else next[key] = true;
      return next;
    });

  // "/" focuses the filter; Escape closes the detail panel.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement || e.target instanceof HTMLSelectElement;
      if (e.key === '/' && !typing) {
        e.preventDefault();
        queryRef.current?.focus();
        queryRef.current?.select();
      } else if (e.key === 'Escape' && !typing && !dialog) setDetail(null);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [dialog]);

  const selectedKeys = Object.keys(selection).filter((k) => selection[k]);
  const liveDetail = detail ? rows.find((r) => r.key === detail.key) : undefined;
  const serverQueryError = win.error?.code === ErrorCode.BadRequest ? win.error.message : null;
  const otherError = win.error && win.error.code !== ErrorCode.BadRequest ? win.error : null;
  const appliedCheck = checkQuery(applied);

  const finish = (message: string) => {
    setDialog(null);
    setSelection({});
    setNotice(message);
  };

  return (
    <section className="explorer" aria-labelledby="page-title">
      <HostBar title="Connections" hosts={hosts} hostId={hostId} onHost={changeHost} connection={live.connection} />
      {(hostsError ?? live.error) && (
        <p className="error" role="alert">
          {hostsError ?? live.error}
        </p>
      )}
      {hosts && hosts.length === 0 ? (
        <NoHosts />
      ) : (
        <>
          <QueryBar draft={draft} onDraft={setDraft} onApply={onSubmit} check={check} serverError={serverQueryError} seen={seen} inputRef={queryRef} />

          <div className="toolbar">
            <WindowStatus result={result} loading={win.loading} paused={paused} held={win.held} receivedAt={win.receivedAt} connected={live.connection === 'live'} />
            <div className="toolbar-actions">
              <button type="button" className="secondary" aria-pressed={paused} onClick={() => setPaused((p) => !p)}>
                {paused ? 'Resume' : 'Pause'}
              </button>
              <ColumnChooser table={table} />
              <WindowExport result={result} hostId={hostId} spec={spec} columnIds={table.getVisibleLeafColumns().map((c) => c.id)} />
              {mayChange && (
                <>
                  <button type="button" className="danger-outline" disabled={selectedKeys.length === 0} onClick={() => setDialog('selected')}>
                    Delete selected{selectedKeys.length ? ` (${formatCount(selectedKeys.length)})` : ''}
                  </button>
                  <button type="button" className="danger-outline" disabled={!result || result.total === 0 || !appliedCheck.ok} onClick={() => setDialog('matching')}>
                    Delete all matching…
                  </button>
                </>
              )}
            </div>
          </div>
          {selectedKeys.length > 0 && (
            <p className="muted small selection-line">
              {formatCount(selectedKeys.length)} selected ·{' '}
              <button type="button" className="link-button inline" onClick={() => setSelection({})}>
                clear selection
              </button>
            </p>
          )}
          {notice && (
            <p className="notice-ok" role="status">
              {notice}{' '}
              <button type="button" className="link-button inline" onClick={() => setNotice(null)} aria-label="dismiss">
                ✕
              </button>
            </p>
          )}
          {otherError && (
            <p className="error" role="alert">
              {otherError.code === ErrorCode.HostOffline ? `${otherError.message}. The table appears when its agent connects.` : otherError.message}
            </p>
          )}

          <div className={`explorer-body${detail ? ' with-detail' : ''}`}>
            <div className="explorer-table">
              {result === null ? (
                <div className="table-skeleton" aria-busy="true">
                  {otherError ? 'No data from this host yet.' : 'Loading connections…'}
                </div>
              ) : result.total === 0 ? (
                <div className="empty">
                  {result.size === 0 ? (
                    <>
                      <h2>The conntrack table is empty</h2>
                      <p>No connection is tracked on this host right now. Entries appear here live as traffic flows (if the host has stateful firewall rules or NAT).</p>
                    </>
                  ) : (
                    <>
                      <h2>No connection matches this filter</h2>
                      <p>
                        {formatCount(result.size)} {result.size === 1 ? 'entry is' : 'entries are'} tracked, none matches <code>{applied}</code>.{' '}
                        <button
                          type="button"
                          className="link-button inline"
                          onClick={() => {
                            setDraft('');
                            apply('');
                          }}
                        >
                          Clear the filter
                        </button>
                      </p>
                    </>
                  )}
                </div>
              ) : (
                <FlowTableView
                  table={table}
                  result={result}
                  cursor={cursor}
                  onCursor={setCursor}
                  onOpen={setDetail}
                  onPivot={pivot}
                  onVisibleRange={onVisibleRange}
                  onToggleSelect={toggleSelect}
                  canSelect={mayChange}
                  gridRef={gridRef}
                />
              )}
              <p className="muted small keys-help">
                Keys: <kbd>/</kbd> filter · <kbd>↑</kbd>
                <kbd>↓</kbd> move · <kbd>Enter</kbd> detail · {mayChange && <><kbd>Space</kbd> select · </>}
                <kbd>Esc</kbd> close · click a source, port or state to filter by it
              </p>
            </div>
            {detail && (
              <FlowDetail
                flow={liveDetail ?? detail}
                current={liveDetail !== undefined}
                canDelete={mayChange}
                onDelete={(flow) => {
                  setSelection({ [flow.key]: true });
                  setDialog('selected');
                }}
                onClose={() => setDetail(null)}
              />
            )}
          </div>

          {dialog === 'selected' && live.socket && hostId && (
            <DeleteSelectedDialog socket={live.socket} hostId={hostId} keys={selectedKeys} onDone={finish} onClose={() => setDialog(null)} />
          )}
          {dialog === 'matching' && live.socket && hostId && (
            <DeleteMatchingDialog socket={live.socket} hostId={hostId} query={applied} onDone={finish} onClose={() => setDialog(null)} />
          )}
        </>
      )}
    </section>
  );
}
