'use client';

import { changeOutcomeResultSchema, serverToBrowserSchemas, type Ack, type ChangeOutcome, type ChangeOutcomeResult, type PendingChange } from '@ctscope/protocol';
import { useEffect, useRef, useState } from 'react';
import { ask } from '../live/browser-socket';
import type { LiveSocket } from '../live/use-live-socket';

export interface PendingView {
  /** Open changes; `until` is the deadline on this browser's clock (from the agent's remaining time). */
  pending: Array<PendingChange & { until: number }>;
  recent: ChangeOutcome[];
  /** Ticks every second while something is pending, for the countdowns. */
  now: number;
  confirm(changeId: string): Promise<Ack<ChangeOutcomeResult>>;
  revert(changeId: string): Promise<Ack<ChangeOutcomeResult>>;
}

/**
 * A host's changes that wait for a confirmation, from its live samples; `onOutcome` is called once for
 * each change that is confirmed or reverted while the page is open (so the page re-reads its values).
 */
export function usePendingChanges(live: LiveSocket, hostId: string | null, onOutcome?: (outcome: ChangeOutcome) => void): PendingView {
  const { socket, generation } = live;
  const [state, setState] = useState<{ pending: PendingView['pending']; recent: ChangeOutcome[] }>({ pending: [], recent: [] });
  const [now, setNow] = useState(() => Date.now());
  const seen = useRef<Set<string> | null>(null);
  const outcome = useRef(onOutcome);
  outcome.current = onOutcome;

  useEffect(() => {
    setState({ pending: [], recent: [] });
    seen.current = null;
    if (!socket || generation === 0 || !hostId) return;
    const sampled = (raw: unknown) => {
      const parsed = serverToBrowserSchemas['hosts:sampled'].safeParse(raw);
      const sample = parsed.success ? parsed.data.samples.find((s) => s.hostId === hostId)?.sample : undefined;
      if (!sample) return;
      const received = Date.now();
      const changes = sample.changes ?? { pending: [], recent: [] };
      // Outcomes already there when the page opened are shown, but only new ones trigger a reload.
      const known = seen.current;
      seen.current = new Set(changes.recent.map((r) => r.changeId));
      if (known) for (const r of changes.recent) if (!known.has(r.changeId)) outcome.current?.(r);
      setState({ pending: changes.pending.map((p) => ({ ...p, until: received + p.remainingMs })), recent: changes.recent });
    };
    socket.on('hosts:sampled', sampled);
    return () => {
      socket.off('hosts:sampled', sampled);
    };
  }, [socket, generation, hostId]);

  const ticking = state.pending.length > 0;
  useEffect(() => {
    if (!ticking) return;
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [ticking]);

  const send = (event: 'changes:confirm' | 'changes:revert', changeId: string): Promise<Ack<ChangeOutcomeResult>> => {
    if (!socket || !hostId) return Promise.resolve({ ok: false, code: 'UNAVAILABLE', message: 'not connected to the dashboard' });
    return ask(changeOutcomeResultSchema, (reply) => socket.emit(event, { hostId, changeId }, reply), 30_000);
  };
  return { ...state, now, confirm: (id) => send('changes:confirm', id), revert: (id) => send('changes:revert', id) };
}

/** "1:42" */
export function formatCountdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
