import type { MirrorEntry } from '../mirror/mirror';

export interface Tally {
  byProtocol: Map<string, number>;
  /** Keys `protocol state`. */
  byState: Map<string, number>;
}

/** Counts the mirror by protocol and by protocol state (for /metrics). */
export function tally(entries: Iterable<MirrorEntry>): Tally {
  const byProtocol = new Map<string, number>();
  const byState = new Map<string, number>();
  for (const { flow } of entries) {
    const proto = flow.proto === 'unknown' ? String(flow.protoNum) : flow.proto;
    byProtocol.set(proto, (byProtocol.get(proto) ?? 0) + 1);
    if (flow.state !== undefined) {
      const key = `${proto} ${flow.state}`;
      byState.set(key, (byState.get(key) ?? 0) + 1);
    }
  }
  return { byProtocol, byState };
}
