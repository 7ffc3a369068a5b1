/**
 * Prometheus /metrics and /healthz for the agent. See README.md in this directory for the wiring.
 */
export { renderMetrics, type MetricsSnapshot } from './render';
export { NETNS_SERIES, type NetnsMetrics } from './netns';
export { tally, tallyTable, type Tally, type TallyEntry } from './tally';
export {
  DEFAULT_METRICS_HOST,
  DEFAULT_METRICS_PORT,
  MetricsBindError,
  checkMetricsBind,
  startMetricsServer,
  type HealthReport,
  type MetricsServerOptions,
} from './server';
export { isLoopback } from './loopback';
export { healthReport, type HealthInput } from './health';
export { CONTENT_TYPE, Exposition, escapeHelp, escapeLabel, formatValue, type Labels, type MetricType } from './exposition';
