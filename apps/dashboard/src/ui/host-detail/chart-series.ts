import type { ChartSeries } from './time-chart';

/** Series colors are CSS custom properties, read when a chart is drawn, so charts follow the theme. */
export const EVENT_SERIES: ChartSeries[] = [
  { label: 'NEW', color: '--new' },
  { label: 'UPDATE', color: '--update' },
  { label: 'DESTROY', color: '--destroy' },
];

export const TROUBLE_SERIES: ChartSeries[] = [
  { label: 'insert_failed', color: '--chart-insert-failed' },
  { label: 'drop', color: '--chart-drop' },
  { label: 'early_drop', color: '--chart-early-drop' },
  { label: 'invalid', color: '--chart-invalid' },
  { label: 'search_restart', color: '--chart-search-restart' },
];
