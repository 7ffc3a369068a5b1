'use client';

import { useEffect, useState } from 'react';
import { openBrowserSocket, type BrowserSocket } from './browser-socket';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'refused';

export interface LiveSocket {
  socket: BrowserSocket | null;
  connection: ConnectionState;
  /** Bumped on every (re)connect so subscriptions know to open again. */
  generation: number;
  error: string | null;
}

/** An early socket nobody claimed (a page that loaded this module without a live view) is closed after this. */
const UNCLAIMED_CLOSE_MS = 10_000;

interface EarlySocket {
  socket: BrowserSocket;
  /** A refusal that came before the page's hook listened. */
  refused: Error | null;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * The page's socket is opened as soon as this module runs in the browser, before React hydrates the
 * page, so that its handshake (and the session check) overlaps hydration instead of following it; the
 * first useLiveSocket claims it.
 */
let early: EarlySocket | null = typeof window === 'undefined' ? null : openEarly();

function openEarly(): EarlySocket {
  const socket = openBrowserSocket();
  const opened: EarlySocket = {
    socket,
    refused: null,
    timer: setTimeout(() => {
      if (early !== opened) return;
      early = null;
      socket.close();
    }, UNCLAIMED_CLOSE_MS),
  };
  socket.once('connect_error', (err) => (opened.refused = err));
  return opened;
}

function claimSocket(): { socket: BrowserSocket; refused: Error | null } {
  const claimed = early;
  early = null;
  if (!claimed) return { socket: openBrowserSocket(), refused: null };
  clearTimeout(claimed.timer);
  return claimed;
}

/** One socket per page; sends the user to the login page when the session is gone. */
export function useLiveSocket(): LiveSocket {
  const [state, setState] = useState<LiveSocket>({ socket: null, connection: 'connecting', generation: 0, error: null });

  useEffect(() => {
    const { socket, refused } = claimSocket();
    setState((s) => ({ ...s, socket }));
    const connected = () => setState((s) => ({ ...s, connection: 'live', generation: s.generation + 1, error: null }));
    socket.on('connect', connected);
    socket.on('disconnect', () => setState((s) => ({ ...s, connection: 'reconnecting' })));
    const connectError = (err: Error) => {
      const data = (err as Error & { data?: { code?: unknown; message?: unknown } }).data;
      if (data?.code === 'UNAUTHENTICATED') {
        window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
        return;
      }
      const message = typeof data?.message === 'string' ? data.message : null;
      setState((s) => ({ ...s, connection: socket.active ? 'reconnecting' : 'refused', error: message }));
    };
    socket.on('connect_error', connectError);
    // What the early socket went through before this hook listened.
    if (socket.connected) connected();
    else if (refused) connectError(refused);
    return () => {
      socket.close();
    };
  }, []);

  return state;
}

export const CONNECTION_TEXT: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Connection lost; reconnecting…',
  refused: 'The dashboard refused this page',
};
