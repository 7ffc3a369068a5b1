'use client';

import { CONFIRM_DEADLINE_CHOICES_MS, DEFAULT_CONFIRM_WITHIN_MS } from '@ctscope/protocol';

/** The apply forms' choice: undo unless confirmed within N (null: no deadline). Default on, 2 min. */
export function ConfirmWithin({ value, onChange }: { value: number | null; onChange(value: number | null): void }) {
  const label = (ms: number) => (ms < 60_000 ? `${ms / 1000} s` : `${ms / 60_000} min`);
  return (
    <label className="check confirm-within">
      <input type="checkbox" checked={value !== null} onChange={(e) => onChange(e.target.checked ? DEFAULT_CONFIRM_WITHIN_MS : null)} />
      Undo unless confirmed within{' '}
      <select aria-label="Confirmation deadline" value={value ?? DEFAULT_CONFIRM_WITHIN_MS} disabled={value === null} onChange={(e) => onChange(Number(e.target.value))}>
        {CONFIRM_DEADLINE_CHOICES_MS.map((ms) => (
          <option key={ms} value={ms}>
            {label(ms)}
          </option>
        ))}
      </select>
      <span className="muted small"> (the host undoes it by itself, even if this page or the dashboard goes away)</span>
    </label>
  );
}
