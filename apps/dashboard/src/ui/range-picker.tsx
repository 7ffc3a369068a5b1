import type { ReactNode } from 'react';

/** Pill buttons choosing a chart time range; `children` follow them (loading or error notes). */
export function RangePicker<K extends string>({ ranges, value, onChange, children }: { ranges: Record<K, { label: string }>; value: K; onChange(key: K): void; children?: ReactNode }) {
  return (
    <div className="range-picker" role="group" aria-label="Time range">
      {(Object.keys(ranges) as K[]).map((key) => (
        <button key={key} type="button" aria-pressed={value === key} onClick={() => onChange(key)}>
          {ranges[key].label}
        </button>
      ))}
      {children}
    </div>
  );
}
