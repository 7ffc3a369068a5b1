const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
  ['second', 1],
];

/** 432000 → "5 days", 120 → "2 minutes", 5400 → "1 hour 30 minutes", 0 → "0 seconds". */
export function humanizeSeconds(total: number, maxParts = 2): string {
  if (!Number.isFinite(total)) return String(total);
  const sign = total < 0 ? '-' : '';
  let rest = Math.abs(Math.trunc(total));
  if (rest === 0) return '0 seconds';
  const parts: string[] = [];
  for (const [name, size] of UNITS) {
    const n = Math.floor(rest / size);
    if (n === 0) continue;
    rest -= n * size;
    parts.push(`${n} ${name}${n === 1 ? '' : 's'}`);
  }
  return sign + parts.slice(0, maxParts).join(' ');
}

const IEC: ReadonlyArray<readonly [string, number]> = [
  ['GiB', 1024 ** 3],
  ['MiB', 1024 ** 2],
  ['KiB', 1024],
];

/** 335544320 → "320 MiB", 1536 → "1.5 KiB". */
export function humanizeBytes(bytes: number): string {
  for (const [name, size] of IEC) {
    if (Math.abs(bytes) >= size) return `${Number((bytes / size).toFixed(1))} ${name}`;
  }
  return `${bytes} bytes`;
}

/** 262144 → "262,144". */
export function groupDigits(n: number): string {
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

const DURATION = /^(\d+)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?|d|days?)?$/i;

/**
 * Parses a duration typed by a person into seconds: "3600", "90s", "30m", "1h", "5d", and sums such
 * as "1h30m". Returns undefined when it is not one.
 */
export function parseDuration(text: string): number | undefined {
  const parts = text.trim().toLowerCase().match(/\d+\s*[a-z]*/g);
  if (!parts || parts.join('').replace(/\s/g, '') !== text.trim().toLowerCase().replace(/\s/g, '')) return undefined;
  let total = 0;
  for (const part of parts) {
    const m = DURATION.exec(part.trim());
    if (!m) return undefined;
    const n = Number(m[1]);
    const unit = (m[2] ?? 's')[0];
    total += n * (unit === 'd' ? 86_400 : unit === 'h' ? 3_600 : unit === 'm' ? 60 : 1);
  }
  return Number.isSafeInteger(total) ? total : undefined;
}
