import { usagePercent, type Alert, type StatsSample } from '@ctscope/protocol';
import { HOOKS_INACTIVE, MODULE_NOT_LOADED, RISING_RULES, TABLE_UNREADABLE, usageMessage, type RisingRule } from './messages';
import { DEFAULT_THRESHOLDS, type AlertThresholds } from './thresholds';

export { DEFAULT_THRESHOLDS, alertThresholdsSchema, parseAlertThresholds, type AlertThresholds } from './thresholds';

/** What the engine looks at on each tick. Counters are cumulative; the engine keeps the previous values. */
export interface AlertInput {
  /** Milliseconds since the epoch. */
  now: number;
  /** This tick's sample; null when the kernel could not be read this tick. */
  sample: StatsSample | null;
  /** Event overruns (lost kernel events) since the agent started (MirrorHealth.overruns). */
  overruns: number;
  /** "table full, dropping packet" lines seen in the kernel log since the agent started (KmsgWatcher.count). */
  tableFullLines: number;
  /**
   * Whether nf_conntrack is loaded (conntrackModuleLoaded()). Only consulted when `sample` is null, to
   * tell "module not loaded" from "loaded but unreadable" (no CAP_NET_ADMIN); unknown means the former.
   */
  moduleLoaded?: boolean;
  /**
   * Who filled the table lately (growthAttribution of the composition ring), named in the usage
   * alert's message; asked only while that alert is active.
   */
  growth?: () => string | null;
}

export interface AlertChanges {
  /** Every active alert after this tick, oldest first. */
  active: Alert[];
  /** Alerts that started this tick, and active ones whose severity changed (same `since`, new `id`). */
  raised: Alert[];
  /** Alerts that ended this tick, as they were last. */
  cleared: Alert[];
}

type SetAlert = (name: string, severity: Alert['severity'], message: string) => void;
type ClearAlert = (name: string) => void;

/**
 * Table usage (with hysteresis), rising counters, kernel table-full lines, lost events, inactive hooks
 * and a missing module. Feed it once per stats tick; it reports what changed.
 */
export class AlertEngine {
  private readonly current = new Map<string, Alert>();
  private readonly counters = new Map<string, { value: number; at: number; increasedAt: number | null }>();

  constructor(private readonly thresholds: AlertThresholds = DEFAULT_THRESHOLDS) {}

  /** The active alerts, oldest first. */
  get active(): Alert[] {
    return [...this.current.values()];
  }

  evaluate(input: AlertInput): AlertChanges {
    const raised: Alert[] = [];
    const cleared: Alert[] = [];
    const set: SetAlert = (name, severity, message) => {
      const existing = this.current.get(name);
      if (existing && existing.severity === severity) {
        existing.message = message;
        return;
      }
      const alert: Alert = { id: `${name}:${input.now}`, name, severity, since: existing?.since ?? input.now, message };
      this.current.set(name, alert);
      raised.push(alert);
    };
    const clear: ClearAlert = (name) => {
      const existing = this.current.get(name);
      if (!existing) return;
      this.current.delete(name);
      cleared.push(existing);
    };

    if (input.sample === null) {
      if (input.moduleLoaded === true) {
        clear('module-not-loaded');
        set('table-unreadable', 'critical', TABLE_UNREADABLE);
      } else {
        clear('table-unreadable');
        set('module-not-loaded', 'critical', MODULE_NOT_LOADED);
      }
    } else {
      clear('module-not-loaded');
      clear('table-unreadable');
      this.usage(input.sample, set, clear, input.growth);
      if (input.sample.hooksActive) clear('hooks-inactive');
      else set('hooks-inactive', 'warning', HOOKS_INACTIVE);
    }
    for (const rule of RISING_RULES) this.rising(rule, input, set, clear);
    return { active: this.active, raised, cleared };
  }

  /** netdata's rule: warning above 90 % until below 85 %; critical above 95 % until below 90 %. */
  private usage(sample: StatsSample, set: SetAlert, clear: ClearAlert, growth?: () => string | null): void {
    const usage = usagePercent(sample);
    const { usageWarning: w, usageCritical: c } = this.thresholds;
    const severity = this.current.get('table-usage')?.severity;
    let next: Alert['severity'] | null = null;
    if (usage > c.raise || (severity === 'critical' && usage >= c.clear)) next = 'critical';
    else if (usage > w.raise || (severity !== undefined && usage >= w.clear)) next = 'warning';
    if (next === null) clear('table-usage');
    else set('table-usage', next, usageMessage(usage, sample.count, sample.max, growth?.() ?? null));
  }

  /** Raised when the counter grew since the previous tick; cleared once it has not grown for `quietSeconds`. */
  private rising(rule: RisingRule, input: AlertInput, set: SetAlert, clear: ClearAlert): void {
    const value = rule.read(input);
    if (value === undefined) return;
    const previous = this.counters.get(rule.name);
    if (!previous) {
      this.counters.set(rule.name, { value, at: input.now, increasedAt: null });
      return;
    }
    if (value > previous.value) {
      set(rule.name, rule.severity, rule.message(value - previous.value, (input.now - previous.at) / 1000));
      previous.increasedAt = input.now;
    } else if (previous.increasedAt === null || input.now - previous.increasedAt >= this.thresholds.quietSeconds * 1000) {
      clear(rule.name);
    }
    // A counter that went down (module reloaded, agent restarted its reader) is a new baseline.
    previous.value = value;
    previous.at = input.now;
  }
}
