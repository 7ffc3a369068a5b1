'use client';

import type { SysctlHistoryEntry, SysctlStateWire } from '@ctscope/protocol';
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { LiveSocket } from '../live/use-live-socket';
import { sysctlRequests, type SysctlRequests } from './sysctl-requests';

export interface SysctlData {
  requests: SysctlRequests | null;
  state: SysctlStateWire | null;
  stateError: string | null;
  history: SysctlHistoryEntry[] | null;
  historyError: string | null;
  /** Reads the values and the history again (after an apply, rollback or persist). */
  reload(): void;
}

/** The host's parameters and change history, read when the page (re)connects, the agent comes back, or the page asks again. */
export function useSysctlData({ socket, generation }: LiveSocket, hostId: string | null, online: boolean): SysctlData {
  const requests = useMemo(() => (socket && hostId ? sysctlRequests(socket, hostId) : null), [socket, hostId]);
  const [round, setRound] = useState(0);
  const [data, setData] = useState<Omit<SysctlData, 'requests' | 'reload'>>({ state: null, stateError: null, history: null, historyError: null });

  useEffect(() => {
    if (!requests || generation === 0) return;
    let live = true;
    void requests.get().then((answer) => {
      if (live) setData((d) => (answer.ok ? { ...d, state: answer.data, stateError: null } : { ...d, stateError: answer.message }));
    });
    void requests.history().then((answer) => {
      if (live) setData((d) => (answer.ok ? { ...d, history: answer.data, historyError: null } : { ...d, historyError: answer.message }));
    });
    return () => {
      live = false;
    };
  }, [requests, generation, round, online]);

  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { requests, reload, ...data };
}
