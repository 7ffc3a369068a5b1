import type { NetnsEntriesWire, NetnsSummary } from '@ctscope/protocol';

/** Namespaces shown before "Show all". */
export const TOP_NAMESPACES = 10;

export interface NamespaceView {
  rows: NetnsEntriesWire[];
  /** Entries in every namespace the agent counted (listed or summed in `others`). */
  total: number;
  /** Namespaces counted. */
  counted: number;
  /** Listed namespaces not shown until "Show all". */
  hidden: number;
}

/** What the Namespaces panel shows: most entries first, the top ones unless `showAll`. */
export function namespaceView(summary: NetnsSummary, showAll: boolean): NamespaceView {
  const listed = [...summary.byNetns].sort((a, b) => b.entries - a.entries || a.name.localeCompare(b.name));
  const rows = showAll ? listed : listed.slice(0, TOP_NAMESPACES);
  return {
    rows,
    total: listed.reduce((sum, ns) => sum + ns.entries, 0) + summary.others.entries,
    counted: listed.length + summary.others.namespaces,
    hidden: listed.length - rows.length,
  };
}

export const SOURCE_LABELS: Record<NetnsEntriesWire['source'], { label: string; title: string }> = {
  host: { label: 'host', title: "The agent's own network namespace" },
  named: { label: 'named', title: 'Named with ip netns (/run/netns)' },
  container: { label: 'container', title: 'Container id from the cgroup of a process in it' },
  pod: { label: 'pod', title: 'Kubernetes pod uid from the cgroup of a process in it' },
  process: { label: 'process', title: 'No name or container: the process (lowest pid) holding it' },
};
