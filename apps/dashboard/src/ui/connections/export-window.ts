import type { WindowResult, WindowSpec, WireFlow } from '@ctscope/protocol';
import { csvDocument, type CsvValue } from '../export/csv';
import { ageOf, bytesOf, formatEndpoint, natText, packetsOf } from '../flow-format';

/**
 * Machine-readable CSV values of the explorer's columns: raw numbers (seconds, packets, bytes) instead
 * of the table's rounded text, addresses as the kernel reports them.
 */
const CSV_VALUE: Record<string, (flow: WireFlow, now: number) => CsvValue> = {
  proto: (f) => f.proto,
  src: (f) => f.orig.src,
  sport: (f) => f.orig.sport ?? (f.orig.icmpType === undefined ? undefined : `${f.orig.icmpType}/${f.orig.icmpCode ?? 0}`),
  dst: (f) => f.orig.dst,
  dport: (f) => f.orig.dport ?? (f.orig.icmpId === undefined ? undefined : `id ${f.orig.icmpId}`),
  replySrc: (f) => formatEndpoint(f.reply.src, f.reply.sport),
  replyDst: (f) => formatEndpoint(f.reply.dst, f.reply.dport),
  state: (f) => f.state,
  status: (f) => f.status.filter((s) => s !== 'CONFIRMED').join(' '),
  nat: (f) => natText(f),
  timeout: (f) => f.timeout,
  packets: (f) => packetsOf(f),
  bytes: (f) => bytesOf(f),
  mark: (f) => f.mark,
  zone: (f) => f.zone,
  id: (f) => f.id,
  age: (f, now) => {
    const age = ageOf(f, now);
    return age === undefined ? undefined : Math.round(age);
  },
};

/** Column ids the CSV knows, in the order given, skipping the rest (such as the selection box). */
export const exportableColumns = (columnIds: readonly string[]): string[] => columnIds.filter((id) => id in CSV_VALUE);

/** The window's rows as CSV: the visible columns, in the table's order and sort. */
export function windowToCsv(rows: readonly WireFlow[], columnIds: readonly string[], now = Date.now()): string {
  const columns = exportableColumns(columnIds);
  return csvDocument(
    columns,
    rows.map((flow) => columns.map((id) => CSV_VALUE[id]?.(flow, now))),
  );
}

export interface WindowExportContext {
  hostId: string | null;
  spec: Pick<WindowSpec, 'query' | 'sort'>;
  exportedAt: Date;
}

/** The window as JSON: what it is a window of, then every decoded field of every row. */
export function windowToJson(result: WindowResult, context: WindowExportContext): string {
  const document = {
    host: context.hostId,
    exportedAt: context.exportedAt.toISOString(),
    query: context.spec.query,
    sort: context.spec.sort,
    matching: result.total,
    tracked: result.size,
    offset: result.offset,
    rows: result.rows,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
