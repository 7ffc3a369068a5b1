'use client';

import type { WindowResult, WireFlow } from '@ctscope/protocol';
import { useEffect, useRef, type KeyboardEvent, type RefObject } from 'react';
import type { Pivot } from '../query/pivot';
import { describePivot } from '../query/pivot';
import type { FlowTable as Table } from './use-flow-table';
import { useFixedRows } from './use-fixed-rows';

export const ROW_HEIGHT = 30;
const HEADER_HEIGHT = 34;

interface Props {
  table: Table;
  result: WindowResult | null;
  cursor: number;
  onCursor(index: number): void;
  onOpen(flow: WireFlow): void;
  onPivot(pivot: Pivot): void;
  onVisibleRange(first: number, last: number): void;
  onToggleSelect(key: string): void;
  canSelect: boolean;
  gridRef: RefObject<HTMLDivElement | null>;
}

/**
 * The virtualized table: its scroll height is the whole filtered table (total × row height) while only
 * the agent's window is in memory; rows outside the window show as placeholders until it arrives.
 */
export function FlowTableView({ table, result, cursor, onCursor, onOpen, onPivot, onVisibleRange, onToggleSelect, canSelect, gridRef }: Props) {
  const total = result?.total ?? 0;
  const offset = result?.offset ?? 0;
  const rows = table.getRowModel().rows;
  const { first, last, totalHeight, scrollToIndex } = useFixedRows({ scrollRef: gridRef, count: total, rowHeight: ROW_HEIGHT, headerHeight: HEADER_HEIGHT, overscan: 12 });
  const indexes = Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => first + i);
  useEffect(() => onVisibleRange(first, Math.max(first, last)), [first, last, onVisibleRange]);
  // Follow the keyboard cursor only when it moves, so live updates never pull a scrolled view back.
  const followed = useRef(-1);
  useEffect(() => {
    if (cursor === followed.current) return;
    followed.current = cursor;
    if (cursor >= 0 && cursor < total) scrollToIndex(cursor);
  }, [cursor, total, scrollToIndex]);

  const columns = table.getVisibleLeafColumns();
  const template = columns.map((c) => (c.columnDef.meta?.grow ? `minmax(${c.getSize()}px, 1fr)` : `${c.getSize()}px`)).join(' ');
  const minWidth = columns.reduce((sum, c) => sum + c.getSize(), 0);
  const sorted = table.state.sorting[0];

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (total === 0) return;
    const page = Math.max(1, Math.floor(((gridRef.current?.clientHeight ?? 300) - HEADER_HEIGHT) / ROW_HEIGHT) - 1);
    const move = (to: number) => {
      event.preventDefault();
      onCursor(Math.min(total - 1, Math.max(0, to)));
    };
    const here = Math.max(0, cursor);
    switch (event.key) {
      case 'ArrowDown':
        return move(cursor < 0 ? first : here + 1);
      case 'ArrowUp':
        return move(here - 1);
      case 'PageDown':
        return move(here + page);
      case 'PageUp':
        return move(here - page);
      case 'Home':
        return move(0);
      case 'End':
        return move(total - 1);
      case 'Enter': {
        const flow = rows[cursor - offset]?.original;
        if (flow) {
          event.preventDefault();
          onOpen(flow);
        }
        return;
      }
      case ' ': {
        const flow = rows[cursor - offset]?.original;
        if (flow && canSelect) {
          event.preventDefault();
          onToggleSelect(flow.key);
        }
        return;
      }
    }
  }

  return (
    <div
      ref={gridRef}
      className="flow-grid"
      role="grid"
      aria-label="connections"
      aria-rowcount={total + 1}
      aria-colcount={columns.length}
      aria-activedescendant={cursor >= 0 ? `flow-row-${cursor}` : undefined}
      tabIndex={0}
      onKeyDown={onKeyDown}
    >
      <div className="flow-head" role="row" aria-rowindex={1} style={{ gridTemplateColumns: template, minWidth }}>
        {table.getHeaderGroups()[0]?.headers.map((header) => {
          const column = header.column;
          const meta = column.columnDef.meta;
          const isSorted = sorted?.id === column.id ? (sorted.desc ? 'descending' : 'ascending') : undefined;
          return (
            <div key={header.id} role="columnheader" aria-sort={isSorted ?? 'none'} className={`flow-th${meta?.align === 'end' ? ' end' : ''}`} data-column={column.id}>
              {column.getCanSort() ? (
                <button type="button" className="sort-button" onClick={column.getToggleSortingHandler()} title={`Sort by ${meta?.label ?? column.id}`}>
                  <table.FlexRender header={header} />
                  <span className="sort-mark" aria-hidden="true">
                    {isSorted === 'ascending' ? '▲' : isSorted === 'descending' ? '▼' : ''}
                  </span>
                </button>
              ) : (
                <table.FlexRender header={header} />
              )}
            </div>
          );
        })}
      </div>
      <div className="flow-body" style={{ height: totalHeight, minWidth }}>
        {indexes.map((index) => {
          const row = rows[index - offset];
          const style = { transform: `translateY(${index * ROW_HEIGHT}px)`, gridTemplateColumns: template, height: ROW_HEIGHT };
          if (!row) {
            return (
              <div key={`placeholder-${index}`} id={`flow-row-${index}`} role="row" aria-rowindex={index + 2} className="flow-row placeholder" style={style}>
                <div role="gridcell" className="flow-td skeleton-bar" />
              </div>
            );
          }
          const flow = row.original;
          const selected = row.getIsSelected();
          return (
            <div
              key={row.id}
              id={`flow-row-${index}`}
              role="row"
              aria-rowindex={index + 2}
              aria-selected={index === cursor}
              data-key={flow.key}
              className={`flow-row${index === cursor ? ' cursor' : ''}${selected ? ' selected' : ''}`}
              style={style}
              onClick={() => {
                onCursor(index);
                onOpen(flow);
              }}
            >
              {row.getVisibleCells().map((cell) => {
                const meta = cell.column.columnDef.meta;
                if (cell.column.id === 'select') {
                  return (
                    <div key={cell.id} role="gridcell" className="flow-td select" onClick={(e) => e.stopPropagation()}>
                      {canSelect && <input type="checkbox" aria-label={`select ${flow.proto} ${flow.orig.src} → ${flow.orig.dst}`} checked={selected} onChange={row.getToggleSelectedHandler()} />}
                    </div>
                  );
                }
                const pivot = meta?.pivot?.(flow) ?? null;
                const content = <table.FlexRender cell={cell} />;
                return (
                  <div key={cell.id} role="gridcell" className={`flow-td${meta?.align === 'end' ? ' end' : ''}`} data-column={cell.column.id}>
                    {pivot ? (
                      <button
                        type="button"
                        className="pivot"
                        tabIndex={-1}
                        title={`Filter by ${describePivot(pivot)}`}
                        onClick={(e) => {
                          e.stopPropagation();
                          onPivot(pivot);
                        }}
                      >
                        {content}
                      </button>
                    ) : (
                      content
                    )}
                  </div>
                );
              })}
            </div>
          );
        })}
      </div>
    </div>
  );
}
