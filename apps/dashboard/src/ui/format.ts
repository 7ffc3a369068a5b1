/**
 * A number the way `Intl.NumberFormat('en-US', { maximumFractionDigits })` writes it (`1,234,567.89`),
 * without Intl: building the first Intl formatter loads the locale data, ~70 ms of a cold page load on a
 * slow machine, on the way to the connections table's first rows.
 */
export function groupDigits(n: number, maximumFractionDigits = 3): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? '∞' : '-∞';
  const exactInteger = Number.isInteger(n) && Math.abs(n) < Number.MAX_SAFE_INTEGER;
  const scaled = Math.abs(n) * 10 ** maximumFractionDigits;
  // Past 2^53 the digits are no longer exact, and String() turns to exponents: Intl knows those.
  if (!exactInteger && scaled >= Number.MAX_SAFE_INTEGER) return new Intl.NumberFormat('en-US', { maximumFractionDigits }).format(n);
  const rounded = exactInteger ? Math.abs(n) : Math.round(scaled) / 10 ** maximumFractionDigits;
  const [whole = '0', fraction] = String(rounded).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+$)/g, ',');
  return `${n < 0 || Object.is(n, -0) ? '-' : ''}${grouped}${fraction ? `.${fraction}` : ''}`;
}

export const formatCount = (n: number): string => groupDigits(n);

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
