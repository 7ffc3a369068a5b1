'use client';

import { fleetHistorySchema, type FleetHistory, type FleetRange } from '@ctscope/protocol';
import { useEffect, useState } from 'react';
import { ask } from '../live/browser-socket';
import type { LiveSocket } from '../live/use-live-socket';

/** How often the fleet series is asked again, per range (the server sums stored points; no live push). */
const REFRESH_MS: Record<FleetRange, number> = { '5m': 5_000, '1h': 30_000, '24h': 60_000 };

export interface FleetSeries {
  history: FleetHistory | null;
  loading: boolean;
  error: string | null;
}

/** Every host's history summed by the dashboard over a range, refreshed while the page is open. */
export function useFleetHistory(live: LiveSocket, range: FleetRange): FleetSeries {
  const [state, setState] = useState<FleetSeries>({ history: null, loading: true, error: null });
  const { socket, generation } = live;

  useEffect(() => {
    if (!socket || generation === 0) return;
    let active = true;
    setState({ history: null, loading: true, error: null });
    const load = () =>
      void ask(fleetHistorySchema, (reply) => socket.emit('fleet:history', { range }, reply)).then((answer) => {
        if (!active) return;
        // A failed refresh keeps the last good series on screen, with the error next to it.
        setState((s) => (answer.ok ? { history: answer.data, loading: false, error: null } : { ...s, loading: false, error: answer.message }));
      });
    load();
    const timer = setInterval(load, REFRESH_MS[range]);
    return () => {
      active = false;
      clearInterval(timer);
    };
  }, [socket, generation, range]);

  return state;
}
