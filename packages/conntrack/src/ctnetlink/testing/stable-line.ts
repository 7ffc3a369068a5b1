/** A conntrack text line without what changes between two reads of the same entry (timeout, delta-time). */
export function stableLine(line: string): string {
  return line
    .trim()
    .replace(/^((?:\[\w+\]\s+)?(?:ipv[46]\s+\d+\s+)?\S+\s+\d+\s+)\d+ /, '$1T ')
    .replace(/delta-time=-?\d+ /, '');
}

/** The entry id at the end of a `-o id` line (before `labels=…`, which conntrack prints after it). */
export function lineId(line: string): number {
  return Number(/ id=(\d+)(?: labels=\S+)?\s*$/.exec(line)?.[1]);
}
