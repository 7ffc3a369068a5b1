import type { SysctlParam } from '@ctscope/protocol';
import { checkValue, formatValue, knownParamForName } from '@ctscope/sysctl/browser';
import type { PendingChange } from './sysctl-requests';

/** What the form holds per parameter name: the text typed (or the choice picked). */
export type Drafts = Readonly<Record<string, string>>;

export type DraftCheck = { state: 'empty' } | { state: 'unchanged'; value: number } | { state: 'ok'; value: number; display: string } | { state: 'invalid'; message: string };

/** Checks what was typed the way the agent will (same catalog, same rules), for inline feedback. */
export function checkDraft(param: SysctlParam, text: string | undefined): DraftCheck {
  if (text === undefined || text.trim() === '') return { state: 'empty' };
  const known = knownParamForName(param.name);
  if (!known) return { state: 'invalid', message: 'this parameter is not in the catalog; it cannot be changed from here' };
  const checked = checkValue(known, text.trim());
  if (!checked.ok) return { state: 'invalid', message: checked.message };
  if (checked.value === param.value) return { state: 'unchanged', value: checked.value };
  return { state: 'ok', value: checked.value, display: formatValue(known, checked.value) };
}

/** The change set to send: every draft that parses and differs from the current value. */
export function pendingChanges(params: readonly SysctlParam[], drafts: Drafts): PendingChange[] {
  const changes: PendingChange[] = [];
  for (const param of params) {
    const check = checkDraft(param, drafts[param.name]);
    if (check.state === 'ok') changes.push({ name: param.name, value: check.value });
  }
  return changes;
}

/** Drafts that do not parse: shown inline, and they keep Preview disabled. */
export function invalidDrafts(params: readonly SysctlParam[], drafts: Drafts): string[] {
  return params.filter((p) => checkDraft(p, drafts[p.name]).state === 'invalid').map((p) => p.name);
}

/** Proposed values (from a recommendation or profile) as drafts; read-only ones are left out and named. */
export function fillFrom(params: readonly SysctlParam[], drafts: Drafts, values: readonly { name: string; value: number }[]): { drafts: Drafts; skipped: string[] } {
  const next: Record<string, string> = { ...drafts };
  const skipped: string[] = [];
  for (const { name, value } of values) {
    const param = params.find((p) => p.name === name);
    if (!param || !param.writable) skipped.push(name);
    else next[name] = String(value);
  }
  return { drafts: next, skipped };
}

/** "net.netfilter.nf_conntrack_tcp_timeout_established" → "tcp_timeout_established". */
export const shortName = (name: string): string => name.replace(/^net\.netfilter\.nf_conntrack_/, '').replace(/^module\.nf_conntrack\.parameters\./, '');

/** A value of a parameter for people ("1 hour", "262,144 entries"), or the raw number when unknown. */
export function displayValue(name: string, value: number | null): string {
  if (value === null) return '—';
  const known = knownParamForName(name);
  return known ? formatValue(known, value) : String(value);
}
