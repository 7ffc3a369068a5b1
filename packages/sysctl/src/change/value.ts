import { formatValue } from '../catalog/entry';
import type { KnownParam } from '../catalog/types';
import { parseDuration } from '../humanize';

export type ValueCheck = { ok: true; value: number } | { ok: false; message: string };

function rangeText(param: KnownParam): string {
  if (param.choices) return param.choices.map((c) => `${c.value} (${c.label})`).join(', ');
  return `${formatValue(param, param.min)} to ${formatValue(param, param.max)}${param.unit === 'seconds' ? ` (${param.min}–${param.max} s)` : ` (${param.min}–${param.max})`}`;
}

function fromText(param: KnownParam, text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (/^-?\d+$/.test(t)) return Number(t);
  const choice = param.choices?.find((c) => c.label.toLowerCase() === t);
  if (choice) return choice.value;
  if (param.type === 'boolean') {
    if (['true', 'yes', 'enabled'].includes(t)) return 1;
    if (['false', 'no', 'disabled'].includes(t)) return 0;
  }
  if (param.unit === 'seconds') return parseDuration(t);
  return undefined;
}

/** Turns what a person typed into the integer the kernel takes, or says what is wrong and what to give instead. */
export function checkValue(param: KnownParam, input: number | string): ValueCheck {
  const value = typeof input === 'number' ? input : fromText(param, input);
  if (value === undefined || !Number.isSafeInteger(value)) {
    const hint = param.unit === 'seconds' ? 'a number of seconds or a duration such as 90s, 30m, 1h, 5d' : param.choices ? `one of ${rangeText(param)}` : 'a whole number';
    return { ok: false, message: `${JSON.stringify(input)} is not a valid value: give ${hint}` };
  }
  if (param.choices && !param.choices.some((c) => c.value === value)) {
    return { ok: false, message: `${value} is not allowed: choose one of ${rangeText(param)}` };
  }
  if (value < param.min || value > param.max) {
    return { ok: false, message: `${value} is out of range: give ${rangeText(param)}` };
  }
  return { ok: true, value };
}
