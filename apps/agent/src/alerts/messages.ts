import { sumCpuCounters, type Alert } from '@ctscope/protocol';
import type { AlertInput } from './engine';

export const fmt = (n: number): string => n.toLocaleString('en-US');

/** A cumulative counter whose increase raises an alert, cleared after a quiet period. */
export interface RisingRule {
  name: string;
  severity: Alert['severity'];
  read(input: AlertInput): number | undefined;
  message(increase: number, seconds: number): string;
}

const over = (seconds: number) => (seconds > 0 ? ` in the last ${fmt(Math.round(seconds))} s` : '');

export const RISING_RULES: readonly RisingRule[] = [
  {
    name: 'insert-failed-rising',
    severity: 'critical',
    read: (i) => (i.sample ? sumCpuCounters(i.sample.cpu).insert_failed : undefined),
    message: (n, s) => `insert_failed rose by ${fmt(n)}${over(s)}: new connections could not be tracked and their packets were dropped. Raise net.netfilter.nf_conntrack_max (and buckets), or find who fills the table under Connections → top sources.`,
  },
  {
    name: 'drop-rising',
    severity: 'critical',
    read: (i) => (i.sample ? sumCpuCounters(i.sample.cpu).drop : undefined),
    message: (n, s) => `drop rose by ${fmt(n)}${over(s)}: packets were dropped because conntrack could not make an entry for them. Raise net.netfilter.nf_conntrack_max, shorten idle timeouts (Tuning), or exempt busy stateless traffic with NOTRACK (Rules).`,
  },
  {
    name: 'early-drop-rising',
    severity: 'warning',
    read: (i) => (i.sample ? sumCpuCounters(i.sample.cpu).early_drop : undefined),
    message: (n, s) => `early_drop rose by ${fmt(n)}${over(s)}: the kernel evicted unreplied entries to make room, so the table is at its limit. Raise net.netfilter.nf_conntrack_max before drops start.`,
  },
  {
    name: 'kernel-table-full',
    severity: 'critical',
    read: (i) => i.tableFullLines,
    message: (n, s) => `The kernel logged "nf_conntrack: table full, dropping packet" ${fmt(n)} time(s)${over(s)}. Raise net.netfilter.nf_conntrack_max now, then find who fills the table under Connections → top sources.`,
  },
  {
    name: 'events-lost',
    severity: 'warning',
    read: (i) => i.overruns,
    message: (n, s) => `${fmt(n)} kernel event overrun(s)${over(s)}: the event socket's buffer filled up, so the agent re-read the table. Live events may have gaps; raise the agent's --event-buffer if this repeats.`,
  },
];

export const usageMessage = (usage: number, count: number, max: number, growth: string | null = null): string =>
  `Table ${usage.toFixed(0)} % full (${fmt(count)} of ${fmt(max)}${growth ? `; ${growth}` : ''}). Raise net.netfilter.nf_conntrack_max (Tuning) or find who fills it under Connections → top sources or the host's growth view.`;

export const MODULE_NOT_LOADED =
  'The conntrack table cannot be read: the nf_conntrack module is not loaded (or netfilter is unavailable here). Load it with `modprobe nf_conntrack`; the agent picks the table up as soon as it appears.';

export const TABLE_UNREADABLE =
  'nf_conntrack is loaded but the agent cannot read its table or statistics. Run the agent as root (it needs CAP_NET_ADMIN) and check its log for the error.';

export const HOOKS_INACTIVE =
  'No firewall rule uses connection tracking in this network namespace, so nothing is tracked. That is fine if intended; otherwise add a stateful rule (for example `ct state established,related accept`).';
