import { z } from 'zod';

/** How a namespace got its name: `ip netns` name, container id, Kubernetes pod uid, process name, or the agent's own. */
export const NETNS_SOURCES = ['named', 'container', 'pod', 'process', 'host'] as const;

const counter = z.number().int().nonnegative();

export type NetnsSourceWire = (typeof NETNS_SOURCES)[number];

/** One network namespace's conntrack entries. */
export const netnsEntriesSchema = z.object({
  /** The namespace's inode (`net:[inode]`), decimal. */
  netns: z.string().regex(/^\d{1,20}$/),
  name: z.string().max(253),
  source: z.enum(NETNS_SOURCES),
  entries: counter,
});
export type NetnsEntriesWire = z.infer<typeof netnsEntriesSchema>;

/** Namespaces a summary lists at most; the rest travel summed in `others`. */
export const MAX_WIRE_NETNS = 64;

/**
 * The latest per-namespace count pass of a host's agent: every namespace shares the one global
 * nf_conntrack_max, so their sum is what fills the table.
 */
export const netnsSummarySchema = z.object({
  /** When the pass ran, agent clock. */
  at: counter,
  /** Distinct namespaces seen on the host. */
  seen: counter,
  /** More namespaces than one pass counts (4,096): the rest were not counted. */
  truncated: z.boolean(),
  /** Namespaces that could not be asked (not counted in byNetns). */
  unreadable: counter,
  /** Agent CPU the pass cost. */
  cpuMs: z.number().nonnegative(),
  /** Most entries first. */
  byNetns: z.array(netnsEntriesSchema).max(MAX_WIRE_NETNS),
  others: z.object({ namespaces: counter, entries: counter }),
});
export type NetnsSummary = z.infer<typeof netnsSummarySchema>;
