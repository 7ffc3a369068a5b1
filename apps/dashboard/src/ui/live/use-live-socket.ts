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

/** One socket per page; sends the user to the login page when the session is gone. */
export function useLiveSocket(): LiveSocket {
  const [state, setState] = useState<LiveSocket>({ socket: null, connection: 'connecting', generation: 0, error: null });

  useEffect(() => {
    const socket = openBrowserSocket();
    setState((s) => ({ ...s, socket }));
    socket.on('connect', () => setState((s) => ({ ...s, connection: 'live', generation: s.generation + 1, error: null })));
    socket.on('disconnect', () => setState((s) => ({ ...s, connection: 'reconnecting' })));
    socket.on('connect_error', (err) => {
      const data = (err as Error & { data?: { code?: unknown; message?: unknown } }).data;
      if (data?.code === 'UNAUTHENTICATED') {
        window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
        return;
      }
      const message = typeof data?.message === 'string' ? data.message : null;
      setState((s) => ({ ...s, connection: socket.active ? 'reconnecting' : 'refused', error: message }));
    });
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
