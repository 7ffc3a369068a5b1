'use client';

import type { WindowResult, WindowSpec } from '@ctscope/protocol';
import { downloadText } from '../flow-format';
import { exportFileName } from '../export/file-name';
import { formatCount } from '../format';
import { windowToCsv, windowToJson } from './export-window';

interface Props {
  result: WindowResult | null;
  hostId: string | null;
  spec: Pick<WindowSpec, 'query' | 'sort'>;
  /** Visible columns, in the table's order. */
  columnIds: readonly string[];
}

/**
 * Downloads of the rows this page holds (the browser never has the whole table): CSV with the visible
 * columns, JSON with every decoded field. Made in the browser from data already received.
 */
export function WindowExport({ result, hostId, spec, columnIds }: Props) {
  const rows = result?.rows ?? [];
  const empty = rows.length === 0;
  const first = (result?.offset ?? 0) + 1;
  const scope = result && !empty ? `rows ${formatCount(first)}–${formatCount(first + rows.length - 1)} of ${formatCount(result.total)} matching` : 'no rows loaded';
  const title = `Exports the window this page has loaded (${scope}), not the whole table; scroll to export other rows.`;
  return (
    <div className="export-group" role="group" aria-label="export the current window">
      <span className="muted small" data-testid="export-scope" title={title}>
        Export window: {formatCount(rows.length)} rows
      </span>
      <button type="button" className="secondary" disabled={empty} title={title} aria-label="Export window as CSV" onClick={() => result && downloadText(exportFileName('connections', hostId, 'csv'), windowToCsv(rows, columnIds), 'text/csv')}>
        CSV
      </button>
      <button
        type="button"
        className="secondary"
        disabled={empty}
        title={title}
        aria-label="Export window as JSON"
        onClick={() => result && downloadText(exportFileName('connections', hostId, 'json'), windowToJson(result, { hostId, spec, exportedAt: new Date() }), 'application/json')}
      >
        JSON
      </button>
    </div>
  );
}
