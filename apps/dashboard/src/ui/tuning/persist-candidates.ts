import type { SysctlParam } from '@ctscope/protocol';
import type { PendingChange } from './sysctl-requests';

export interface PersistCandidates {
  values: { name: string; value: number }[];
  source: 'form' | 'runtime';
}

/**
 * What "Save to file" would write: the form's pending values when there are any; otherwise the runtime
 * values that differ from the kernel default or from what is persisted (so a reboot would lose them).
 */
export function persistCandidates(params: readonly SysctlParam[], changes: readonly PendingChange[]): PersistCandidates {
  const fromForm = changes.flatMap((c) => (typeof c.value === 'number' ? [{ name: c.name, value: c.value }] : []));
  if (fromForm.length > 0) return { values: fromForm, source: 'form' };
  const drifted = params.filter(
    (p) => p.writable && p.value !== null && (p.drift.runtimeVsPersisted === 'differs' || (p.drift.runtimeVsPersisted === 'not-persisted' && p.drift.runtimeVsDefault === 'changed')),
  );
  return { values: drifted.map((p) => ({ name: p.name, value: p.value ?? 0 })), source: 'runtime' };
}
