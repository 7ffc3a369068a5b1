'use client';

import { compositionGrowthSchema, compositionSchema, type Composition, type CompositionGrowth } from '@ctscope/protocol';
import { useEffect, useState } from 'react';
import { ask } from '../../live/browser-socket';
import type { LiveSocket } from '../../live/use-live-socket';

/** Summaries arrive every 10 s: "now" views refresh at that pace. */
const REFRESH_MS = 10_000;

export interface Loaded<T> {
  data: T | null;
  loading: boolean;
  error: string | null;
}

/** Loads `request` now and, while `live` is true, every 10 s; keeps the last answer while reloading. */
function usePolled<T>(live: LiveSocket, key: string | null, follow: boolean, request: (socket: NonNullable<LiveSocket['socket']>) => Promise<{ ok: true; data: T } | { ok: false; message: string }>): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ data: null, loading: true, error: null });
  const { socket, generation } = live;
  useEffect(() => {
    if (!socket || generation === 0 || key === null) return;
    let active = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setState((s) => ({ ...s, loading: true }));
    const load = async () => {
      const answer = await request(socket);
      if (!active) return;
      setState((s) => (answer.ok ? { data: answer.data, loading: false, error: null } : { ...s, loading: false, error: answer.message }));
      if (follow) timer = setTimeout(() => void load(), REFRESH_MS);
    };
    void load();
    return () => {
      active = false;
      clearTimeout(timer);
    };
    // `request` is rebuilt every render; `key` names what it asks for.
  }, [socket, generation, key, follow]);
  return state;
}

/** The host's composition at `moment` (ms), or the newest one, followed, when `moment` is null. */
export function useCompositionAt(live: LiveSocket, hostId: string, moment: number | null): Loaded<Composition | null> {
  return usePolled(live, `${hostId}@${moment ?? 'now'}`, moment === null, (socket) =>
    ask(compositionSchema.nullable(), (reply) => socket.emit('composition:at', { hostId, at: moment ?? Date.now() }, reply)),
  );
}

/** What grew: over the last `minutes` (followed), or between two fixed moments. */
export type GrowthRange = { minutes: number } | { from: number; to: number };

export function useGrowth(live: LiveSocket, hostId: string, range: GrowthRange): Loaded<CompositionGrowth> {
  const key = 'minutes' in range ? `${hostId}:last ${range.minutes}` : `${hostId}:${range.from}-${range.to}`;
  return usePolled(live, key, 'minutes' in range, (socket) => {
    const now = Date.now();
    const { from, to } = 'minutes' in range ? { from: now - range.minutes * 60_000, to: now } : range;
    return ask(compositionGrowthSchema, (reply) => socket.emit('composition:growth', { hostId, from, to, limit: 20 }, reply));
  });
}
