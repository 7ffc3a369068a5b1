'use client';

import { serverToBrowserSchemas, type ErrorCode, type EventStreamSpec } from '@ctscope/protocol';
import { useCallback, useEffect, useRef, useState } from 'react';
import { z } from 'zod';
import { ask } from '../live/browser-socket';
import type { LiveSocket } from '../live/use-live-socket';
import { EVENT_BUFFER_SIZE, prepend, type EventItem } from './event-buffer';

const subscribedSchema = z.object({ subId: z.string() });
/** Events per second are averaged over this many seconds. */
const RATE_WINDOW_S = 5;

export interface EventStreamState {
  /** Newest first, at most EVENT_BUFFER_SIZE; frozen while paused. */
  items: EventItem[];
  /** Events that arrived while paused, shown on resume. */
  heldCount: number;
  /** Matching events per second (received plus dropped), over the last few seconds. */
  rate: number;
  received: number;
  dropped: number;
  subscribed: boolean;
  error: { code: ErrorCode; message: string } | null;
}

interface Options {
  live: LiveSocket;
  hostId: string | null;
  hostOnline: boolean;
  spec: EventStreamSpec;
  paused: boolean;
}

/** A filtered live event stream, re-opened whenever the filter, the types or the host change. */
export function useEventStream({ live, hostId, hostOnline, spec, paused }: Options): EventStreamState & { clear(): void } {
  const { socket, generation, connection } = live;
  const [state, setState] = useState<EventStreamState>({ items: [], heldCount: 0, rate: 0, received: 0, dropped: 0, subscribed: false, error: null });
  const pausedRef = useRef(paused);
  const heldRef = useRef<EventItem[]>([]);
  const seqRef = useRef(0);
  const perSecond = useRef<number[]>([]);
  const thisSecond = useRef(0);
  const specKey = JSON.stringify(spec);
  const streamKey = `${hostId ?? ''} ${specKey}`;
  const shownKey = useRef(streamKey);

  useEffect(() => {
    if (!socket || connection !== 'live' || !hostId) return;
    let live = true;
    let subId: string | null = null;
    const wanted: EventStreamSpec = JSON.parse(specKey) as EventStreamSpec;
    // A new filter or host starts an empty list; a reconnect keeps what is on screen.
    const fresh = shownKey.current !== streamKey;
    shownKey.current = streamKey;
    if (fresh) heldRef.current = [];
    setState((s) => (fresh ? { ...s, subscribed: false, items: [], heldCount: 0, received: 0, dropped: 0 } : { ...s, subscribed: false }));
    void ask(subscribedSchema, (reply) => socket.emit('events:subscribe', { hostId, spec: wanted }, reply)).then((answer) => {
      if (!answer.ok) {
        if (live) setState((s) => ({ ...s, subscribed: false, error: { code: answer.code, message: answer.message } }));
        return;
      }
      if (!live) {
        socket.emit('events:unsubscribe', { subId: answer.data.subId });
        return;
      }
      subId = answer.data.subId;
      setState((s) => ({ ...s, subscribed: true, error: null }));
    });
    const batched = (raw: unknown) => {
      const parsed = serverToBrowserSchemas['events:batched'].safeParse(raw);
      if (!parsed.success || parsed.data.subId !== subId) return;
      const { batch } = parsed.data;
      const items: EventItem[] = batch.events.map((e) => ({ kind: 'event', ...e, seq: ++seqRef.current }));
      if (batch.dropped > 0) items.push({ kind: 'dropped', seq: ++seqRef.current, at: batch.at, count: batch.dropped });
      thisSecond.current += batch.events.length + batch.dropped;
      if (pausedRef.current) {
        heldRef.current = prepend(heldRef.current, items);
        setState((s) => ({ ...s, heldCount: heldRef.current.length, received: s.received + batch.events.length, dropped: s.dropped + batch.dropped }));
      } else {
        setState((s) => ({ ...s, items: prepend(s.items, items), received: s.received + batch.events.length, dropped: s.dropped + batch.dropped }));
      }
    };
    socket.on('events:batched', batched);
    return () => {
      live = false;
      socket.off('events:batched', batched);
      if (subId && socket.connected) socket.emit('events:unsubscribe', { subId });
    };
  }, [socket, generation, connection, hostId, hostOnline, specKey, streamKey]);

  // Rate: events per second over a sliding window, ticking once a second.
  useEffect(() => {
    const timer = setInterval(() => {
      perSecond.current = [...perSecond.current, thisSecond.current].slice(-RATE_WINDOW_S);
      thisSecond.current = 0;
      const rate = perSecond.current.reduce((a, b) => a + b, 0) / perSecond.current.length;
      setState((s) => (s.rate === rate ? s : { ...s, rate }));
    }, 1000);
    return () => clearInterval(timer);
  }, []);

  useEffect(() => {
    pausedRef.current = paused;
    if (paused) return;
    const held = heldRef.current;
    heldRef.current = [];
    if (held.length) setState((s) => ({ ...s, heldCount: 0, items: prepend(s.items, [...held].reverse()) }));
  }, [paused]);

  const clear = useCallback(() => {
    heldRef.current = [];
    setState((s) => ({ ...s, items: [], heldCount: 0, received: 0, dropped: 0 }));
  }, []);

  return { ...state, clear };
}

export { EVENT_BUFFER_SIZE };
