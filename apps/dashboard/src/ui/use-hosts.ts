'use client';

import { hostListSchema, serverToBrowserSchemas, type HostSummary } from '@ctscope/protocol';
import { useEffect, useState } from 'react';
import { ask } from './live/browser-socket';
import type { LiveSocket } from './live/use-live-socket';

/** Points of count history kept per host in the browser (5 minutes at 1 Hz). */
export const HISTORY_POINTS = 300;

export interface HostsState {
  error: string | null;
  hosts: HostSummary[] | null;
  history: Record<string, number[]>;
}

function pushBounded(points: number[] | undefined, value: number): number[] {
  const next = points ? points.slice(-(HISTORY_POINTS - 1)) : [];
  next.push(value);
  return next;
}

/** Live host list with each host's recent counts, over the page's socket; every payload is parsed before use. */
export function useHosts(live: LiveSocket): HostsState {
  const [state, setState] = useState<HostsState>({ error: null, hosts: null, history: {} });
  const { socket, generation } = live;

  useEffect(() => {
    if (!socket || generation === 0) return;
    let active = true;
    void ask(hostListSchema, (reply) => socket.emit('hosts:list', {}, reply)).then((answer) => {
      if (!active) return;
      if (answer.ok) setState((s) => ({ ...s, hosts: answer.data, error: null }));
      else setState((s) => ({ ...s, error: answer.message }));
    });
    const changed = (raw: unknown) => {
      const parsed = serverToBrowserSchemas['host:changed'].safeParse(raw);
      if (!parsed.success) return;
      const host = parsed.data;
      setState((s) => {
        const hosts = s.hosts ?? [];
        const known = hosts.some((h) => h.id === host.id);
        return { ...s, hosts: known ? hosts.map((h) => (h.id === host.id ? host : h)) : [...hosts, host] };
      });
    };
    const sampled = (raw: unknown) => {
      const parsed = serverToBrowserSchemas['hosts:sampled'].safeParse(raw);
      if (!parsed.success || parsed.data.samples.length === 0) return;
      const latest = new Map(parsed.data.samples.map(({ hostId, sample }) => [hostId, sample]));
      const now = Date.now();
      setState((s) => {
        const history = { ...s.history };
        for (const [hostId, sample] of latest) history[hostId] = pushBounded(history[hostId], sample.count);
        const hosts = (s.hosts ?? []).map((h) => {
          const sample = latest.get(h.id);
          return sample ? { ...h, online: true, latest: sample, lastSeen: now } : h;
        });
        return { ...s, hosts, history };
      });
    };
    socket.on('host:changed', changed);
    socket.on('hosts:sampled', sampled);
    return () => {
      active = false;
      socket.off('host:changed', changed);
      socket.off('hosts:sampled', sampled);
    };
  }, [socket, generation]);

  return state;
}
