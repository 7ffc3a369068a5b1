'use client';

import type { RuleList } from '@ctscope/protocol';
import { useCallback, useEffect, useState } from 'react';
import type { RuleRequests } from './rule-requests';

/** Our rules with their counters, read again every 5 s while the page is open. */
export const RULE_LIST_REFRESH_MS = 5_000;

export function useRuleList(requests: RuleRequests | null, generation: number): { list: RuleList | null; error: string | null; refresh(): void } {
  const [state, setState] = useState<{ list: RuleList | null; error: string | null }>({ list: null, error: null });
  const [round, setRound] = useState(0);

  useEffect(() => {
    if (!requests || generation === 0) return;
    let live = true;
    const read = () =>
      void requests.list().then((answer) => {
        if (live) setState((s) => (answer.ok ? { list: answer.data, error: null } : { ...s, error: answer.message }));
      });
    read();
    const timer = setInterval(read, RULE_LIST_REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [requests, generation, round]);

  const refresh = useCallback(() => setRound((r) => r + 1), []);
  return { ...state, refresh };
}
