import type { SysctlParam } from '@ctscope/protocol';
import { unsavedRuntimeValues } from '@ctscope/sysctl/browser';
import type { PendingChange } from './sysctl-requests';

export interface PersistCandidates {
  values: { name: string; value: number }[];
  source: 'form' | 'runtime';
}

/**
 * What "Save to file" would write: the form's pending values when there are any; otherwise the runtime
 * values a reboot would lose (the same default as `ctscope sysctl persist` with no names).
 */
export function persistCandidates(params: readonly SysctlParam[], changes: readonly PendingChange[]): PersistCandidates {
  const fromForm = changes.flatMap((c) => (typeof c.value === 'number' ? [{ name: c.name, value: c.value }] : []));
  if (fromForm.length > 0) return { values: fromForm, source: 'form' };
  return { values: unsavedRuntimeValues(params), source: 'runtime' };
}
