import { csvDocument, type CsvValue } from '../export/csv';
import type { EventItem } from './event-buffer';

const CSV_COLUMNS = ['at', 'type', 'proto', 'src', 'sport', 'dst', 'dport', 'reply_src', 'reply_sport', 'reply_dst', 'reply_dport', 'state', 'status', 'timeout', 'mark', 'zone', 'id', 'dropped', 'key'] as const;

/** Oldest first, one JSON object a line; a capped stretch is a `{"dropped":N}` line where it happened. */
export function toJsonLines(items: readonly EventItem[]): string {
  return [...items]
    .reverse()
    .map((item) => JSON.stringify(item.kind === 'dropped' ? { at: new Date(item.at).toISOString(), dropped: item.count } : { at: new Date(item.at).toISOString(), type: item.type, flow: item.flow }))
    .map((line) => `${line}\n`)
    .join('');
}

/** Oldest first, one row an event; a capped stretch is a row of type DROPPED with its count. */
export function toCsv(items: readonly EventItem[]): string {
  const rows: CsvValue[][] = [];
  for (const item of [...items].reverse()) {
    const at = new Date(item.at).toISOString();
    if (item.kind === 'dropped') {
      rows.push(CSV_COLUMNS.map((c) => (c === 'at' ? at : c === 'type' ? 'DROPPED' : c === 'dropped' ? item.count : undefined)));
      continue;
    }
    const { flow } = item;
    const row: Record<(typeof CSV_COLUMNS)[number], CsvValue> = {
      at,
      type: item.type,
      proto: flow.proto,
      src: flow.orig.src,
      sport: flow.orig.sport,
      dst: flow.orig.dst,
      dport: flow.orig.dport,
      reply_src: flow.reply.src,
      reply_sport: flow.reply.sport,
      reply_dst: flow.reply.dst,
      reply_dport: flow.reply.dport,
      state: flow.state,
      status: flow.status.join('|'),
      timeout: flow.timeout,
      mark: flow.mark,
      zone: flow.zone,
      id: flow.id,
      dropped: undefined,
      key: flow.key,
    };
    rows.push(CSV_COLUMNS.map((c) => row[c]));
  }
  return csvDocument(CSV_COLUMNS, rows);
}
