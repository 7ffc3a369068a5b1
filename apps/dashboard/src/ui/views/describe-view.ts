import type { ViewState } from '@ctscope/protocol';

const PAGE_LABELS: Record<ViewState['page'], string> = { connections: 'Connections', events: 'Live events', host: 'Host' };
const RANGE_LABELS: Record<NonNullable<ViewState['range']>, string> = { '5m': '5 min', '1h': '1 hour', '24h': '24 hours' };

export const pageLabel = (page: ViewState['page']): string => PAGE_LABELS[page];

/** A view's state as label/value pairs for people. */
export function describeViewState(state: ViewState): [string, string][] {
  const rows: [string, string][] = [
    ['Page', PAGE_LABELS[state.page]],
    ['Host', state.hostId ?? 'first online host'],
  ];
  if (state.page !== 'host') rows.push(['Filter', state.query || 'none']);
  if (state.sort) rows.push(['Sort', `${state.sort.column} ${state.sort.desc ? '↓' : '↑'}`]);
  if (state.columns) rows.push(['Columns', state.columns.join(', ')]);
  if (state.eventTypes) rows.push(['Events', state.eventTypes.join(', ')]);
  if (state.range) rows.push(['Range', RANGE_LABELS[state.range]]);
  return rows;
}
