'use client';

import { serverToBrowserSchemas, windowResultSchema, type ErrorCode, type WindowResult, type WindowSpec } from '@ctscope/protocol';
import { useEffect, useRef, useState } from 'react';
import { z } from 'zod';
import { ask } from '../live/browser-socket';
import type { LiveSocket } from '../live/use-live-socket';

const subscribedSchema = z.object({ subId: z.string(), result: windowResultSchema });

/** Scrolling moves the window at most this often; filter and sort changes go at once. */
const SCROLL_DEBOUNCE_MS = 60;

export interface FlowWindowState {
  /** What the table shows (the last result received, or held while paused). */
  result: WindowResult | null;
  loading: boolean;
  error: { code: ErrorCode; message: string } | null;
  /** Pushes that arrived while paused (the newest is applied on resume). */
  held: number;
  /** When the shown content arrived (browser clock). */
  receivedAt: number | null;
}

interface Options {
  live: LiveSocket;
  hostId: string | null;
  /** Re-subscribe when the host comes back (a failed subscribe is not retried otherwise). */
  hostOnline: boolean;
  spec: WindowSpec;
  paused: boolean;
  /** What to show until the subscription answers (the page's first window), or null. */
  initialResult: WindowResult | null;
}

/**
 * A live window on a host's table: subscribes once per host and connection, then changes its spec as
 * the filter, the sort or the scroll position change. Pushes are parsed on arrival and applied only
 * when they belong to this window and are not older than the last answer.
 */
export function useFlowWindow({ live, hostId, hostOnline, spec, paused, initialResult }: Options): FlowWindowState {
  const { socket, generation, connection } = live;
  // No receivedAt for the page's window: the server's clock and time zone are not the browser's.
  const [state, setState] = useState<FlowWindowState>({ result: initialResult, loading: true, error: null, held: 0, receivedAt: null });
  const subIdRef = useRef<string | null>(null);
  const specRef = useRef(spec);
  specRef.current = spec;
  const pausedRef = useRef(paused);
  const heldRef = useRef<WindowResult | null>(null);
  /** Each request gets a number; an answer older than the newest one sent is ignored. */
  const seqRef = useRef(0);
  const sentSpecRef = useRef<string>('');
  /**
   * At most one change is in flight per window; specs that come meanwhile wait, and only the newest is
   * sent. Each change costs the agent a pass over its whole table, so fast scrolling would otherwise
   * queue seconds of stale work there.
   */
  const inFlightRef = useRef(false);
  const queuedRef = useRef<WindowSpec | null>(null);

  const show = (result: WindowResult) => setState((s) => ({ ...s, result, loading: false, error: null, receivedAt: Date.now() }));

  // Subscribe (and unsubscribe) per host and connection.
  useEffect(() => {
    if (!socket || connection !== 'live' || !hostId) return;
    let live = true;
    const seq = ++seqRef.current;
    const first = specRef.current;
    sentSpecRef.current = JSON.stringify(first);
    setState((s) => ({ ...s, loading: true }));
    void ask(subscribedSchema, (reply) => socket.emit('window:subscribe', { hostId, spec: first }, reply)).then((answer) => {
      if (!answer.ok) {
        if (live && seq === seqRef.current) setState((s) => ({ ...s, loading: false, error: { code: answer.code, message: answer.message } }));
        return;
      }
      if (!live) {
        socket.emit('window:unsubscribe', { subId: answer.data.subId });
        return;
      }
      subIdRef.current = answer.data.subId;
      if (seq === seqRef.current) show(answer.data.result);
      // The spec may have changed while subscribing.
      if (JSON.stringify(specRef.current) !== sentSpecRef.current) change(specRef.current);
    });
    const pushed = (raw: unknown) => {
      const parsed = serverToBrowserSchemas['window:pushed'].safeParse(raw);
      if (!parsed.success || parsed.data.subId !== subIdRef.current) return;
      const { result } = parsed.data;
      if (pausedRef.current) {
        heldRef.current = result;
        setState((s) => ({ ...s, held: s.held + 1 }));
      } else show(result);
    };
    socket.on('window:pushed', pushed);
    return () => {
      live = false;
      socket.off('window:pushed', pushed);
      const subId = subIdRef.current;
      subIdRef.current = null;
      if (subId && socket.connected) socket.emit('window:unsubscribe', { subId });
    };
    // `change` reads only refs, so it is not a dependency.
  }, [socket, generation, connection, hostId, hostOnline]);

  function change(next: WindowSpec) {
    const subId = subIdRef.current;
    if (!socket || !subId) return;
    sentSpecRef.current = JSON.stringify(next);
    setState((s) => (s.loading ? s : { ...s, loading: true }));
    if (inFlightRef.current) {
      queuedRef.current = next;
      return;
    }
    inFlightRef.current = true;
    const seq = ++seqRef.current;
    void ask(windowResultSchema, (reply) => socket.emit('window:change', { subId, spec: next }, reply)).then((answer) => {
      inFlightRef.current = false;
      const queued = queuedRef.current;
      queuedRef.current = null;
      // A newer spec waited for this answer, which is stale now: ask for the newer one instead.
      if (queued) return change(queued);
      if (seq !== seqRef.current) return;
      if (answer.ok) show(answer.data);
      else setState((s) => ({ ...s, loading: false, error: { code: answer.code, message: answer.message } }));
    });
  }

  // Follow the spec: filter and sort at once, scrolling debounced.
  const key = JSON.stringify(spec);
  const specOnly = JSON.stringify({ query: spec.query, sort: spec.sort });
  const lastSpecOnly = useRef(specOnly);
  useEffect(() => {
    if (!subIdRef.current || key === sentSpecRef.current) return;
    const immediate = specOnly !== lastSpecOnly.current;
    lastSpecOnly.current = specOnly;
    if (immediate) {
      change(specRef.current);
      return;
    }
    const timer = setTimeout(() => change(specRef.current), SCROLL_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [key, specOnly]);

  // Pause holds pushes; resume shows the newest one held.
  useEffect(() => {
    pausedRef.current = paused;
    if (!paused && heldRef.current) {
      const held = heldRef.current;
      heldRef.current = null;
      show(held);
    }
    if (!paused) setState((s) => (s.held ? { ...s, held: 0 } : s));
  }, [paused]);

  return state;
}
