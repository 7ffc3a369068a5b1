'use client';

import { diagnosisCountListSchema, hostDiagnosesSchema, serverToBrowserSchemas, type DiagnosisCount, type DiagnosisReport } from '@ctscope/protocol';
import { useEffect, useRef, useState } from 'react';
import { ask } from '../live/browser-socket';
import type { LiveSocket } from '../live/use-live-socket';

export interface HostDiagnosesState {
  /** Null until the first answer, or while none is known (offline host, agent not reported yet). */
  report: DiagnosisReport | null;
  loading: boolean;
  error: string | null;
}

/** One host's diagnoses: the latest with the answer to `diagnoses:watch`, then every change; again after a reconnect. */
export function useHostDiagnoses({ socket, generation }: LiveSocket, hostId: string): HostDiagnosesState {
  const [state, setState] = useState<HostDiagnosesState>({ report: null, loading: true, error: null });
  const shown = useRef(hostId);
  useEffect(() => {
    if (!socket || generation === 0) return;
    let live = true;
    // Another host: its diagnoses are unknown until the answer. A reconnect keeps what is shown (and any open preview).
    if (shown.current !== hostId) {
      shown.current = hostId;
      setState({ report: null, loading: true, error: null });
    }
    void ask(hostDiagnosesSchema, (reply) => socket.emit('diagnoses:watch', { hostId }, reply)).then((answer) => {
      if (!live) return;
      setState(answer.ok ? { report: answer.data.report, loading: false, error: null } : (s) => ({ ...s, loading: false, error: answer.message }));
    });
    const reported = (raw: unknown) => {
      const parsed = serverToBrowserSchemas['diagnoses:reported'].safeParse(raw);
      if (parsed.success && parsed.data.hostId === hostId) setState({ report: parsed.data.report, loading: false, error: null });
    };
    socket.on('diagnoses:reported', reported);
    return () => {
      live = false;
      socket.off('diagnoses:reported', reported);
    };
  }, [socket, generation, hostId]);
  return state;
}

/** Every host's diagnosis count (hosts without one have none known), kept current with `diagnoses:counted`. */
export function useDiagnosisCounts({ socket, generation }: LiveSocket): Record<string, DiagnosisCount> {
  const [counts, setCounts] = useState<Record<string, DiagnosisCount>>({});
  useEffect(() => {
    if (!socket || generation === 0) return;
    let live = true;
    void ask(diagnosisCountListSchema, (reply) => socket.emit('diagnoses:counts', {}, reply)).then((answer) => {
      if (live && answer.ok) setCounts(Object.fromEntries(answer.data.map((c) => [c.hostId, c])));
    });
    const counted = (raw: unknown) => {
      const parsed = serverToBrowserSchemas['diagnoses:counted'].safeParse(raw);
      if (!parsed.success || parsed.data.counts.length === 0) return;
      setCounts((c) => ({ ...c, ...Object.fromEntries(parsed.data.counts.map((x) => [x.hostId, x])) }));
    };
    socket.on('diagnoses:counted', counted);
    return () => {
      live = false;
      socket.off('diagnoses:counted', counted);
    };
  }, [socket, generation]);
  return counts;
}
