import type { SysctlHistoryEntry } from '@ctscope/protocol';

export interface ParamChange {
  /** ms since the epoch. */
  at: number;
  /** Null when the agent could not read it before the change. */
  before: number | null;
  after: number;
  user: string;
  via: string;
}

export interface ParamSeries {
  /** [seconds, values]: the value before the first change, one point per change, and the value now. */
  data: [number[], number[]];
  /** Indices in data of the changes (the points to mark). */
  markers: number[];
  changes: ParamChange[];
}

/**
 * One parameter's value over time from the change history (newest first, as the agent sends it):
 * a step line that starts with the value before the oldest recorded change and ends now at the current
 * value. Null when no successful change of it is recorded.
 */
export function paramSeries(entries: readonly SysctlHistoryEntry[], name: string, current: number | null, now: number): ParamSeries | null {
  const changes: ParamChange[] = [];
  for (const entry of entries) {
    if (entry.result !== 'ok') continue;
    const change = entry.changes.find((c) => c.name === name);
    const after = change?.after;
    if (change === undefined || after === null || after === undefined) continue;
    changes.push({ at: Date.parse(entry.time), before: change.before, after, user: entry.user, via: entry.via });
  }
  if (changes.length === 0) return null;
  changes.sort((a, b) => a.at - b.at);
  const first = changes[0] as ParamChange;
  const last = changes[changes.length - 1] as ParamChange;
  const end = Math.max(now, last.at);
  // Lead-in before the first change: a quarter of the span after it, at least 5 s (one change just made).
  const start = first.at - Math.max(5_000, (end - first.at) / 4);
  const times = [start, ...changes.map((c) => c.at), end].map((ms) => ms / 1000);
  const values = [first.before ?? first.after, ...changes.map((c) => c.after), current ?? last.after];
  return { data: [times, values], markers: changes.map((_, i) => i + 1), changes };
}
