'use client';

import { historyPointOf, historySchema, serverToBrowserSchemas, type HistoryPoint, type StatsSample } from '@ctscope/protocol';
import { useEffect, useState } from 'react';
import { ask } from '../live/browser-socket';
import type { LiveSocket } from '../live/use-live-socket';

export const RANGES = {
  '5m': { label: '5 min', ms: 5 * 60_000, source: 'agent' },
  '1h': { label: '1 hour', ms: 3_600_000, source: 'agent' },
  '24h': { label: '24 hours', ms: 86_400_000, source: 'dashboard' },
} as const;
export type RangeKey = keyof typeof RANGES;

/** Most points kept in the browser for one chart range (24 h at 10 s). */
const MAX_POINTS = 9_000;

export interface HostSeries {
  points: HistoryPoint[];
  /** The newest sample received live (alerts and mirror health come with it). */
  latest: StatsSample | null;
  loading: boolean;
  error: string | null;
}

/**
 * A host's stats over a time range: backfilled from the agent's 1 s history (5 min, 1 h) or the
 * dashboard's stored history (24 h), then extended live by every sample; trimmed to the range.
 */
export function useHostSeries(live: LiveSocket, hostId: string | null, range: RangeKey): HostSeries {
  const [state, setState] = useState<HostSeries>({ points: [], latest: null, loading: true, error: null });
  const { socket, generation } = live;

  useEffect(() => {
    if (!socket || generation === 0 || !hostId) return;
    let active = true;
    const { ms, source } = RANGES[range];
    setState((s) => ({ points: [], latest: s.latest, loading: true, error: null }));
    const since = Date.now() - ms;
    const event = source === 'agent' ? 'stats:history' : 'host:history';
    void ask(historySchema, (reply) => socket.emit(event, { hostId, since }, reply)).then((answer) => {
      if (!active) return;
      setState((s) => {
        // Samples that arrived while the backfill was on its way are kept after it.
        const backfill = answer.ok ? answer.data : [];
        const last = backfill[backfill.length - 1]?.at ?? 0;
        return { ...s, points: [...backfill, ...s.points.filter((p) => p.at > last)].slice(-MAX_POINTS), loading: false, error: answer.ok ? null : answer.message };
      });
    });
    const sampled = (raw: unknown) => {
      const parsed = serverToBrowserSchemas['hosts:sampled'].safeParse(raw);
      const sample = parsed.success ? parsed.data.samples.find((s) => s.hostId === hostId)?.sample : undefined;
      if (!sample) return;
      if (sample.max === 0) return setState((s) => ({ ...s, latest: sample })); // the table could not be read: an alert explains why
      const point = historyPointOf(sample);
      setState((s) => {
        const cutoff = Date.now() - ms;
        const points = [...s.points, point].filter((p) => p.at >= cutoff);
        return { ...s, latest: sample, points: points.slice(-MAX_POINTS) };
      });
    };
    socket.on('hosts:sampled', sampled);
    return () => {
      active = false;
      socket.off('hosts:sampled', sampled);
    };
  }, [socket, generation, hostId, range]);

  return state;
}
