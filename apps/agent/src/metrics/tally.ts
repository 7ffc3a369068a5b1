import type { Flow } from '@ctscope/conntrack';
import type { FlowTable } from '../mirror/flow-table';

export interface Tally {
  byProtocol: Map<string, number>;
  /** Keys `protocol state`, e.g. "tcp ESTABLISHED". */
  byState: Map<string, number>;
}

/** What tally() reads of a mirror entry. */
export interface TallyEntry {
  flow: Pick<Flow, 'proto' | 'protoNum' | 'state'>;
}

/** Counts entries by protocol and by protocol state (for /metrics); one pass, no allocation per entry. */
export function tally(entries: Iterable<TallyEntry>): Tally {
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

/** tally() over the mirror's table, each row read through one reused view. */
export function tallyTable(table: FlowTable): Tally {
  const view = table.createView();
  return tally({
    *[Symbol.iterator]() {
      for (let row = 0; row < table.size; row++) yield { flow: view.at(row) };
    },
  });
}
