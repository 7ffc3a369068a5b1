import type { Exposition, Labels } from './exposition';

/** The latest per-namespace count pass, as /metrics needs it. */
export interface NetnsMetrics {
  /** Most entries first. */
  byNetns: ReadonlyArray<{ netns: string; name: string; entries: number }>;
  seen: number;
  truncated: boolean;
  cpuMs: number;
}

/** Namespaces exported one series each: the top by entries, so the series count stays bounded. */
export const NETNS_SERIES = 20;

/** ctscope_netns_* series: the top NETNS_SERIES namespaces by entries, how many there are, what a pass costs. */
export function renderNetnsMetrics(out: Exposition, netns: NetnsMetrics): void {
  const top = netns.byNetns
    .slice(0, NETNS_SERIES)
    .sort((a, b) => (a.netns < b.netns ? -1 : a.netns > b.netns ? 1 : 0))
    .map((ns): [Labels, number] => [{ netns: ns.netns, name: ns.name }, ns.entries]);
  out.metric('ctscope_netns_entries', 'gauge', `Conntrack entries per network namespace (inode), for the ${NETNS_SERIES} namespaces with the most entries; all share nf_conntrack_max.`, top);
  out.metric('ctscope_netns_count', 'gauge', 'Network namespaces seen on the host in the last count pass.', [[{}, netns.seen]]);
  out.metric('ctscope_netns_truncated', 'gauge', '1 when the host has more namespaces than one pass counts (4096).', [[{}, netns.truncated ? 1 : 0]]);
  out.metric('ctscope_netns_pass_cpu_seconds', 'gauge', 'Agent CPU the last per-namespace count pass took.', [[{}, netns.cpuMs / 1000]]);
}
