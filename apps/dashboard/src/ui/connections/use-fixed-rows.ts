'use client';

import { useCallback, useEffect, useState, type RefObject } from 'react';

interface Options {
  scrollRef: RefObject<HTMLDivElement | null>;
  count: number;
  rowHeight: number;
  /** Height of the sticky header at the top of the scrolled content. */
  headerHeight: number;
  /** Rows rendered beyond each edge of the view. */
  overscan: number;
}

export interface FixedRows {
  /** First and last row index to render (overscan included); last < first when there is none. */
  first: number;
  last: number;
  totalHeight: number;
  /** Scrolls the least needed to show the row (like scrollIntoView's "nearest"). */
  scrollToIndex(index: number): void;
}

/** The height taken for the view before it is measured: about a laptop screen's table. */
const FIRST_VIEW_HEIGHT = 800;

/**
 * Row virtualization for rows of one fixed height: the rows in view are plain arithmetic on the scroll
 * position, so the cost is the same for 100 rows or 250,000. (A measuring virtualizer rebuilds a
 * position for every row whenever the count changes, which live updates of a large table do each second.)
 */
export function useFixedRows({ scrollRef, count, rowHeight, headerHeight, overscan }: Options): FixedRows {
  // Until the element is measured (and in the server's render of the page's first rows): a screenful.
  const [view, setView] = useState({ top: 0, height: FIRST_VIEW_HEIGHT });

  useEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const read = () => setView((v) => (v.top === el.scrollTop && v.height === el.clientHeight ? v : { top: el.scrollTop, height: el.clientHeight }));
    read();
    el.addEventListener('scroll', read, { passive: true });
    const resize = new ResizeObserver(read);
    resize.observe(el);
    return () => {
      el.removeEventListener('scroll', read);
      resize.disconnect();
    };
  }, [scrollRef]);

  const inView = Math.max(1, Math.ceil((view.height - headerHeight) / rowHeight));
  const top = Math.floor(view.top / rowHeight);
  const first = Math.max(0, Math.min(top, count - 1) - overscan);
  const last = Math.min(count - 1, top + inView + overscan);

  const scrollToIndex = useCallback(
    (index: number) => {
      const el = scrollRef.current;
      if (!el) return;
      const rowTop = index * rowHeight;
      const rowBottom = rowTop + rowHeight + headerHeight;
      if (rowTop < el.scrollTop) el.scrollTop = rowTop;
      else if (rowBottom > el.scrollTop + el.clientHeight) el.scrollTop = rowBottom - el.clientHeight;
    },
    [scrollRef, rowHeight, headerHeight],
  );

  return { first, last, totalHeight: count * rowHeight, scrollToIndex };
}
