'use client';

import { AUDIT_RESULTS, type AuditFacets } from '@ctscope/protocol';

export interface AuditFilterState {
  actor: string;
  target: string;
  action: string;
  result: string;
  from: string;
  to: string;
}
export const EMPTY_FILTER: AuditFilterState = { actor: '', target: '', action: '', result: '', from: '', to: '' };

/** Filter values as API query parameters (times from the datetime pickers, local time). */
export function filterParams(filter: AuditFilterState): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of ['actor', 'target', 'action', 'result'] as const) if (filter[key]) params.set(key, filter[key]);
  for (const key of ['from', 'to'] as const) {
    const ms = filter[key] ? new Date(filter[key]).getTime() : NaN;
    if (Number.isFinite(ms)) params.set(key, String(key === 'to' ? ms + 59_999 : ms));
  }
  return params;
}

function Select({ label, value, options, onChange }: { label: string; value: string; options: readonly string[]; onChange(v: string): void }) {
  return (
    <label>
      {label}
      <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">any</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Pickers for who, what target, which action, the result and a time range. */
export function AuditFilters({ filter, facets, onChange }: { filter: AuditFilterState; facets: AuditFacets | null; onChange(next: AuditFilterState): void }) {
  const set = (key: keyof AuditFilterState) => (value: string) => onChange({ ...filter, [key]: value });
  return (
    <form className="panel inline-fields audit-filters" aria-label="Audit filters" onSubmit={(e) => e.preventDefault()}>
      <Select label="User" value={filter.actor} options={facets?.actors ?? []} onChange={set('actor')} />
      <Select label="Host / target" value={filter.target} options={facets?.targets ?? []} onChange={set('target')} />
      <Select label="Action" value={filter.action} options={facets?.actions ?? []} onChange={set('action')} />
      <Select label="Result" value={filter.result} options={AUDIT_RESULTS} onChange={set('result')} />
      <label>
        From
        <input type="datetime-local" value={filter.from} onChange={(e) => set('from')(e.target.value)} />
      </label>
      <label>
        To
        <input type="datetime-local" value={filter.to} onChange={(e) => set('to')(e.target.value)} />
      </label>
      <button type="button" className="secondary-button" onClick={() => onChange(EMPTY_FILTER)}>
        Clear
      </button>
    </form>
  );
}
