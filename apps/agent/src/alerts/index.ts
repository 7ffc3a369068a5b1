/**
 * Alerts: an engine fed once per stats tick, and a /dev/kmsg watcher for the kernel's table-full line.
 * See README.md in this directory for the wiring.
 */
export { AlertEngine, type AlertChanges, type AlertInput } from './engine';
export { DEFAULT_THRESHOLDS, alertThresholdsSchema, parseAlertThresholds, type AlertThresholds } from './thresholds';
export { KmsgWatcher, nodeKmsgIo, type KmsgIo, type KmsgWatcherOptions } from './kmsg';
export { TABLE_FULL, kmsgMessage, parseKmsgRecord, type KmsgRecord } from './kmsg-record';
export { conntrackModuleLoaded } from './module';
