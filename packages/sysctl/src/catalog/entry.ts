import { groupDigits, humanizeBytes, humanizeSeconds } from '../humanize';
import type { KnownParam, ParamGroup, ParamScope, ParamType, ParamUnit } from './types';

/** One parameter as the host has it now: what it is, its value, and whether it may be changed here. */
export interface ParamEntry {
  /** net.netfilter.nf_conntrack_max, or module.nf_conntrack.parameters.hashsize. */
  name: string;
  /** File name: nf_conntrack_max, or hashsize. */
  key: string;
  source: 'procfs' | 'sysfs';
  /** File it was read from (and would be written to). */
  path: string;
  /** False for parameters this version of ctscope does not describe (shown raw, read-only). */
  known: boolean;
  group: ParamGroup | 'unknown';
  type: ParamType | 'raw';
  unit: ParamUnit | 'raw';
  description: string;
  scope: ParamScope | 'unknown';
  /** Text as the kernel printed it (trimmed). */
  raw: string;
  /** Parsed integer, or null when the text is not one. */
  value: number | null;
  /** Value for people: "5 days", "262,144 entries", "on". */
  display: string;
  /** Kernel default on this host (computed for memory-derived ones), null when unknown. */
  default: number | null;
  defaultDisplay: string | null;
  /** How the kernel arrives at the default, for derived defaults. */
  defaultRule?: string;
  min?: number;
  max?: number;
  rangeNote?: string;
  choices?: ReadonlyArray<{ value: number; label: string }>;
  writable: boolean;
  /** Why not, when writable is false. */
  readOnlyReason?: string;
}

/** Formats a value of a known parameter for people. */
export function formatValue(param: Pick<KnownParam, 'unit' | 'choices'>, value: number): string {
  const choice = param.choices?.find((c) => c.value === value);
  if (choice) return choice.label;
  switch (param.unit) {
    case 'seconds':
      return humanizeSeconds(value);
    case 'bytes':
      return humanizeBytes(value);
    case 'entries':
    case 'buckets':
      return `${groupDigits(value)} ${param.unit}`;
    default:
      return String(value);
  }
}

/** The kernel prints one integer per file for everything we know; anything else stays raw. */
export function parseInteger(raw: string): number | null {
  return /^-?\d+$/.test(raw) && Number.isSafeInteger(Number(raw)) ? Number(raw) : null;
}
