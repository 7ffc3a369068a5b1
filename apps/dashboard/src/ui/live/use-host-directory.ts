'use client';

import { hostListSchema, serverToBrowserSchemas, type HostSummary } from '@ctscope/protocol';
import { useEffect, useState } from 'react';
import { ask } from './browser-socket';
import { chooseHost } from './choose-host';
import type { LiveSocket } from './use-live-socket';

export interface HostDirectory {
  hosts: HostSummary[] | null;
  error: string | null;
}

/** The hosts the dashboard knows (`initialHosts` until it answers), kept current with host:changed. */
export function useHostDirectory({ socket, generation }: LiveSocket, initialHosts: HostSummary[] | null = null): HostDirectory {
  const [state, setState] = useState<HostDirectory>({ hosts: initialHosts, error: null });

  useEffect(() => {
    if (!socket || generation === 0) return;
    let live = true;
    void ask(hostListSchema, (reply) => socket.emit('hosts:list', {}, reply)).then((answer) => {
      if (!live) return;
      setState(answer.ok ? { hosts: answer.data, error: null } : (s) => ({ ...s, error: answer.message }));
    });
    const changed = (raw: unknown) => {
      const parsed = serverToBrowserSchemas['host:changed'].safeParse(raw);
      if (!parsed.success) return;
      const host = parsed.data;
      setState((s) => {
        const hosts = s.hosts ?? [];
        return { ...s, hosts: hosts.some((h) => h.id === host.id) ? hosts.map((h) => (h.id === host.id ? host : h)) : [...hosts, host] };
      });
    };
    socket.on('host:changed', changed);
    return () => {
      live = false;
      socket.off('host:changed', changed);
    };
  }, [socket, generation]);

  return state;
}

export interface ChosenHost {
  hosts: HostSummary[] | null;
  hostsError: string | null;
  hostId: string | null;
  host: HostSummary | null;
  setRequestedHost: (hostId: string | null) => void;
}

/** The host directory and the host a page shows (see chooseHost), switchable by the host picker. */
export function useChosenHost(live: LiveSocket, initialHost: string | null, initialHosts: HostSummary[] | null = null): ChosenHost {
  const { hosts, error: hostsError } = useHostDirectory(live, initialHosts);
  const [requestedHost, setRequestedHost] = useState(initialHost);
  const hostId = chooseHost(hosts, requestedHost);
  return { hosts, hostsError, hostId, host: hosts?.find((h) => h.id === hostId) ?? null, setRequestedHost };
}
