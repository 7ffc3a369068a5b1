/**
 * Per-namespace conntrack counts on a host: which network namespaces there are (discover.ts), what
 * they are called (cgroup-name.ts), and their entry counts asked from inside each (counter.ts).
 */
import type { NetnsCounter, NetnsEntries } from './counter';

export { cgroupOwner, type CgroupOwner } from './cgroup-name';
export { discoverNamespaces, DEFAULT_NETNS_LIMIT, type Discovery, type DiscoverOptions, type NetnsCandidate, type NetnsSource } from './discover';
export { NetnsCounter, MIN_NETNS_INTERVAL_MS, NETNS_COST_FACTOR, WIRE_NETNS, type NetnsCounterOptions, type NetnsEntries, type NetnsPass } from './counter';

let running: NetnsCounter | null = null;

/** The agent's counter, once its services started one (null on simulated hosts). */
export function registerNetnsCounter(counter: NetnsCounter | null): void {
  running = counter;
}

/** The latest per-namespace counts of this host, most entries first (the composition summary's `byNetns`). */
export function latestNetnsCounts(): NetnsEntries[] {
  return running?.byNetns() ?? [];
}
