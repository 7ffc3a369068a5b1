const numberFormat = new Intl.NumberFormat('en-US');

export const formatCount = (n: number): string => numberFormat.format(n);

export function formatPercent(value: number): string {
  if (value > 0 && value < 0.1) return '<0.1 %';
  return `${value.toFixed(value < 10 ? 1 : 0)} %`;
}

export function formatAgo(at: number | null, now = Date.now()): string {
  if (at === null) return 'never';
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  if (seconds < 5) return 'just now';
  if (seconds < 120) return `${seconds} s ago`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min ago`;
  return new Date(at).toLocaleString();
}

/** Usage thresholds follow netdata's conntrack alarm: warn above 90 %, critical above 95 %. */
export function usageLevel(percent: number): 'ok' | 'warn' | 'critical' {
  if (percent > 95) return 'critical';
  if (percent > 90) return 'warn';
  return 'ok';
}
