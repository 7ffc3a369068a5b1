'use client';

import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import { formatCount } from '../format';
import { formatClock, formatEndpoint, formatSeconds, icmpText } from '../flow-format';
import type { EventItem } from './event-buffer';

const ROW_HEIGHT = 28;
const HEAD_HEIGHT = 30;

/** The buffered events, newest first, virtualized; capped stretches show as "dropped N" markers. */
export function EventList({ items, jump }: { items: readonly EventItem[]; /** Scroll to this item (a new object each time). */ jump: { seq: number } | null }) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 15,
    scrollMargin: HEAD_HEIGHT,
    getItemKey: (index) => items[index]?.seq ?? index,
    useFlushSync: false,
  });
  useEffect(() => {
    if (!jump) return;
    const index = items.findIndex((i) => i.seq === jump.seq);
    if (index >= 0) virtualizer.scrollToIndex(index, { align: 'center' });
    // Only a new jump request scrolls (items and virtualizer are read when it comes); new events must not pull the list back.
  }, [jump]);

  return (
    <div className="event-list" ref={scrollRef} role="log" aria-label="conntrack events" aria-live="off">
      <div className="event-head" aria-hidden="true">
        <span>Time</span>
        <span>Type</span>
        <span>Proto</span>
        <span>Original source → destination</span>
        <span>State</span>
        <span>Status</span>
        <span className="event-timeout">Timeout</span>
      </div>
      <div className="event-list-body" style={{ height: virtualizer.getTotalSize() }}>
        {virtualizer.getVirtualItems().map((v) => {
          const item = items[v.index];
          if (!item) return null;
          const style = { transform: `translateY(${v.start - HEAD_HEIGHT}px)`, height: ROW_HEIGHT };
          if (item.kind === 'dropped') {
            return (
              <div key={item.seq} className="event-row dropped" style={style} data-kind="dropped">
                <span className="event-time">{formatClock(item.at)}</span>
                <span className="dropped-marker">
                  ⚠ dropped {formatCount(item.count)} event{item.count === 1 ? '' : 's'} here: the stream was capped (the agent sends at most 500 per 100 ms to each view)
                </span>
              </div>
            );
          }
          const { flow } = item;
          return (
            <div key={item.seq} className={`event-row event-${item.type.toLowerCase()}`} style={style} data-type={item.type}>
              <span className="event-time">{formatClock(item.at)}</span>
              <span className={`event-type type-${item.type.toLowerCase()}`}>{item.type}</span>
              <span className="event-proto">{flow.proto}</span>
              <span className="event-tuple">
                {formatEndpoint(flow.orig.src, flow.orig.sport)} → {formatEndpoint(flow.orig.dst, flow.orig.dport)}
                {icmpText(flow.orig) && <span className="muted"> {icmpText(flow.orig)}</span>}
              </span>
              <span className="event-state">{flow.state ?? ''}</span>
              <span className="event-status muted">{flow.status.filter((s) => s !== 'CONFIRMED').join(' ')}</span>
              <span className="event-timeout muted">{item.type === 'DESTROY' ? '' : formatSeconds(flow.timeout)}</span>
            </div>
          );
        })}
      </div>
    </div>
  );
}
