import { sumCpuCounters, usagePercent, type Alert, type StatsSample } from '@ctscope/protocol';

export interface AlertThresholds {
  /** Table usage %: raise above `raise`, clear below `clear` (netdata's defaults). */
  usageWarning: { raise: number; clear: number };
  usageCritical: { raise: number; clear: number };
  /** Seconds without a new increase before a "rising" alert clears. */
  quietSeconds: number;
}

export const DEFAULT_THRESHOLDS: AlertThresholds = {
  usageWarning: { raise: 90, clear: 85 },
  usageCritical: { raise: 95, clear: 90 },
  quietSeconds: 60,
};

/** What the engine looks at on each tick. Counters are cumulative; the engine keeps the previous values. */
export interface AlertInput {
  now: number;
  /** Null when the kernel could not be read this tick. */
  sample: StatsSample | null;
  /** Event overruns (lost kernel events) since the agent started. */
  overruns: number;
  /** "table full, dropping packet" lines seen in the kernel log since the agent started. */
  tableFullLines: number;
}

export interface AlertChanges {
  active: Alert[];
  raised: Alert[];
  cleared: Alert[];
}

const fmt = (n: number) => n.toLocaleString('en-US');

interface RisingRule {
  name: string;
  severity: Alert['severity'];
  read(input: AlertInput): number | undefined;
  message(increase: number): string;
}

const RISING: RisingRule[] = [
  {
    name: 'insert-failed-rising',
    severity: 'critical',
    read: (i) => (i.sample ? sumCpuCounters(i.sample.cpu).insert_failed : undefined),
    message: (n) => `insert_failed rose by ${fmt(n)}: new connections could not be tracked and their packets were dropped. Raise net.netfilter.nf_conntrack_max (and buckets), or find who fills the table under Connections → top sources.`,
  },
  {
    name: 'drop-rising',
    severity: 'critical',
    read: (i) => (i.sample ? sumCpuCounters(i.sample.cpu).drop : undefined),
    message: (n) => `drop rose by ${fmt(n)}: packets were dropped because the table was full. Raise net.netfilter.nf_conntrack_max, shorten idle timeouts (Tuning), or exempt busy stateless traffic with NOTRACK (Rules).`,
  },
  {
    name: 'early-drop-rising',
    severity: 'warning',
    read: (i) => (i.sample ? sumCpuCounters(i.sample.cpu).early_drop : undefined),
    message: (n) => `early_drop rose by ${fmt(n)}: the kernel evicted unconfirmed entries to make room, so the table is at its limit. Raise net.netfilter.nf_conntrack_max before drops start.`,
  },
  {
    name: 'kernel-table-full',
    severity: 'critical',
    read: (i) => i.tableFullLines,
    message: (n) => `The kernel logged "nf_conntrack: table full, dropping packet" ${fmt(n)} time(s). Raise net.netfilter.nf_conntrack_max now, then find who fills the table under Connections → top sources.`,
  },
  {
    name: 'events-lost',
    severity: 'warning',
    read: (i) => i.overruns,
    message: (n) => `${fmt(n)} kernel event overrun(s): the event socket's buffer filled up, so the agent re-read the table. Live events may have gaps; raise the agent's --event-buffer if this repeats.`,
  },
];

/** Table usage, rising counters, kernel log lines, lost events, inactive hooks and a missing module, with hysteresis. */
export class AlertEngine {
  private readonly active = new Map<string, Alert>();
  private readonly last = new Map<string, { value: number; increasedAt: number }>();

  constructor(private readonly thresholds: AlertThresholds = DEFAULT_THRESHOLDS) {}

  evaluate(input: AlertInput): AlertChanges {
    const raised: Alert[] = [];
    const cleared: Alert[] = [];
    const set = (name: string, severity: Alert['severity'], message: string) => {
      const existing = this.active.get(name);
      if (existing && existing.severity === severity) {
        existing.message = message;
        return;
      }
      const alert: Alert = { id: `${name}:${input.now}`, name, severity, since: existing?.since ?? input.now, message };
      this.active.set(name, alert);
      raised.push(alert);
    };
    const clear = (name: string) => {
      const existing = this.active.get(name);
      if (!existing) return;
      this.active.delete(name);
      cleared.push(existing);
    };

    if (input.sample === null) {
      set('module-not-loaded', 'critical', 'The conntrack table cannot be read: the nf_conntrack module is not loaded (or netfilter is unavailable here). Load it with `modprobe nf_conntrack`; the agent picks the table up as soon as it appears.');
    } else {
      clear('module-not-loaded');
      this.usage(input.sample, set, clear);
      if (input.sample.hooksActive) clear('hooks-inactive');
      else set('hooks-inactive', 'warning', 'No firewall rule uses connection tracking in this network namespace, so nothing is tracked. That is fine if intended; otherwise add a stateful rule (for example `ct state established,related accept`).');
    }
    for (const rule of RISING) this.rising(rule, input, set, clear);
    return { active: [...this.active.values()], raised, cleared };
  }

  private usage(sample: StatsSample, set: (n: string, s: Alert['severity'], m: string) => void, clear: (n: string) => void): void {
    const usage = usagePercent(sample);
    const { usageWarning: w, usageCritical: c } = this.thresholds;
    const current = this.active.get('table-usage')?.severity;
    let severity: Alert['severity'] | null = null;
    if (usage > c.raise || (current === 'critical' && usage >= c.clear)) severity = 'critical';
    else if (usage > w.raise || (current !== undefined && usage >= w.clear)) severity = 'warning';
    if (severity === null) return clear('table-usage');
    set('table-usage', severity, `Table ${usage.toFixed(0)} % full (${fmt(sample.count)} of ${fmt(sample.max)}). Raise net.netfilter.nf_conntrack_max (Tuning) or find who fills it under Connections → top sources.`);
  }

  private rising(rule: RisingRule, input: AlertInput, set: (n: string, s: Alert['severity'], m: string) => void, clear: (n: string) => void): void {
    const value = rule.read(input);
    if (value === undefined) return;
    const previous = this.last.get(rule.name);
    if (!previous) {
      this.last.set(rule.name, { value, increasedAt: 0 });
      return;
    }
    if (value > previous.value) {
      set(rule.name, rule.severity, rule.message(value - previous.value));
      this.last.set(rule.name, { value, increasedAt: input.now });
    } else {
      previous.value = value;
      if (input.now - previous.increasedAt >= this.thresholds.quietSeconds * 1000) clear(rule.name);
    }
  }
}
