'use client';

import {
  BROWSER_NAMESPACE,
  PROTOCOL_VERSION,
  ackSchema,
  hostListSchema,
  serverToBrowserSchemas,
  type BrowserToServerEvents,
  type HostSummary,
  type ServerToBrowserEvents,
} from '@ctscope/protocol';
import { useEffect, useState } from 'react';
import { io, type Socket } from 'socket.io-client';

/** Points of count history kept per host in the browser (5 minutes at 1 Hz). */
export const HISTORY_POINTS = 300;

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'refused';

export interface HostsState {
  connection: ConnectionState;
  error: string | null;
  hosts: HostSummary[] | null;
  history: Record<string, number[]>;
}

const listAckSchema = ackSchema(hostListSchema);

function pushBounded(points: number[] | undefined, value: number): number[] {
  const next = points ? points.slice(-(HISTORY_POINTS - 1)) : [];
  next.push(value);
  return next;
}

/** Live host list over the browsers namespace; every payload is parsed before use. */
export function useHosts(): HostsState {
  const [state, setState] = useState<HostsState>({ connection: 'connecting', error: null, hosts: null, history: {} });

  useEffect(() => {
    const socket: Socket<ServerToBrowserEvents, BrowserToServerEvents> = io(BROWSER_NAMESPACE, {
      auth: { protocolVersion: PROTOCOL_VERSION },
      transports: ['websocket'],
      withCredentials: true,
    });
    const refresh = () =>
      socket.emit('hosts:list', {}, (raw) => {
        const ack = listAckSchema.safeParse(raw);
        if (!ack.success) return setState((s) => ({ ...s, error: 'the dashboard sent an unexpected host list' }));
        const result = ack.data;
        if (result.ok) setState((s) => ({ ...s, hosts: result.data, error: null }));
        else setState((s) => ({ ...s, error: result.message }));
      });
    socket.on('connect', () => {
      setState((s) => ({ ...s, connection: 'live', error: null }));
      refresh();
    });
    socket.on('disconnect', () => setState((s) => ({ ...s, connection: 'reconnecting' })));
    socket.on('connect_error', (err) => {
      const data = (err as Error & { data?: { code?: string; message?: string } }).data;
      if (data?.code === 'UNAUTHENTICATED') {
        window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname)}`);
        return;
      }
      setState((s) => ({ ...s, connection: socket.active ? 'reconnecting' : 'refused', error: data?.message ?? null }));
    });
    socket.on('host:changed', (raw) => {
      const parsed = serverToBrowserSchemas['host:changed'].safeParse(raw);
      if (!parsed.success) return;
      const host = parsed.data;
      setState((s) => {
        const hosts = s.hosts ?? [];
        const known = hosts.some((h) => h.id === host.id);
        return { ...s, hosts: known ? hosts.map((h) => (h.id === host.id ? host : h)) : [...hosts, host] };
      });
    });
    socket.on('host:sampled', (raw) => {
      const parsed = serverToBrowserSchemas['host:sampled'].safeParse(raw);
      if (!parsed.success) return;
      const { hostId, sample } = parsed.data;
      setState((s) => ({
        ...s,
        hosts: (s.hosts ?? []).map((h) => (h.id === hostId ? { ...h, online: true, latest: sample, lastSeen: Date.now() } : h)),
        history: { ...s.history, [hostId]: pushBounded(s.history[hostId], sample.count) },
      }));
    });
    return () => {
      socket.close();
    };
  }, []);

  return state;
}
