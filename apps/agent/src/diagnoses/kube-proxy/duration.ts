const UNITS: Readonly<Record<string, number>> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/**
 * A Go duration (`time.ParseDuration`: "24h0m0s", "1h", "90s", "1.5h", "0") in whole seconds, truncated
 * as kube-proxy does (`int(d / time.Second)`); null when it is not one. Negative durations are refused.
 */
export function parseGoDuration(text: string): number | null {
  const s = text.trim();
  if (s === '0') return 0;
  if (s.length === 0 || s.length > 64) return null;
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  let seconds = 0;
  let at = 0;
  while (at < s.length) {
    part.lastIndex = at;
    const m = part.exec(s);
    if (!m) return null;
    seconds += Number(m[1]) * (UNITS[m[2] as string] as number);
    at = part.lastIndex;
  }
  return Math.floor(seconds + 1e-9);
}

/** Seconds as Go prints a duration ("24h0m0s", "1h0m0s", "30s"), for advice text people paste. */
export function formatGoDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}
