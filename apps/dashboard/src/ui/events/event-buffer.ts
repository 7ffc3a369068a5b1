import type { WireEvent } from '@ctscope/protocol';

/** Most events (and markers) the page keeps; older ones fall off the end. */
export const EVENT_BUFFER_SIZE = 2_000;

export type EventItem = ({ kind: 'event' } & WireEvent & { seq: number }) | { kind: 'dropped'; seq: number; at: number; count: number };

/** New items go first; the buffer keeps the newest `size`. */
export function prepend(buffer: readonly EventItem[], items: readonly EventItem[], size = EVENT_BUFFER_SIZE): EventItem[] {
  if (items.length === 0) return buffer as EventItem[];
  const next = [...items].reverse();
  for (const item of buffer) {
    if (next.length >= size) break;
    next.push(item);
  }
  return next.length > size ? next.slice(0, size) : next;
}
