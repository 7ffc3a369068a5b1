'use client';

import { aggregatesSchema, type Aggregates } from '@ctscope/protocol';
import { useEffect, useState } from 'react';
import { ask } from '../live/browser-socket';
import type { LiveSocket } from '../live/use-live-socket';

const REFRESH_MS = 5_000;

export interface AggregateState {
  data: Aggregates | null;
  error: string | null;
}

/** Breakdowns and top talkers of one host, refreshed every few seconds while the page is open. */
export function useAggregates(live: LiveSocket, hostId: string | null, top = 10): AggregateState {
  const [state, setState] = useState<AggregateState>({ data: null, error: null });
  const { socket, generation } = live;

  useEffect(() => {
    if (!socket || generation === 0 || !hostId) return;
    let active = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      const answer = await ask(aggregatesSchema, (reply) => socket.emit('flows:aggregate', { hostId, query: '', top }, reply));
      if (!active) return;
      setState((s) => (answer.ok ? { data: answer.data, error: null } : { ...s, error: answer.message }));
      timer = setTimeout(() => void load(), REFRESH_MS);
    };
    void load();
    return () => {
      active = false;
      clearTimeout(timer);
    };
  }, [socket, generation, hostId, top]);

  return state;
}
