/**
 * Per-namespace conntrack counts on a host: which network namespaces there are (discover.ts), what
 * they are called (cgroup-name.ts), and their entry counts asked from inside each (counter.ts).
 */
export { cgroupOwner, type CgroupOwner } from './cgroup-name';
export { discoverNamespaces, DEFAULT_NETNS_LIMIT, type Discovery, type DiscoverOptions, type NetnsCandidate, type NetnsSource } from './discover';
export { NetnsCounter, MIN_NETNS_INTERVAL_MS, NETNS_COST_FACTOR, WIRE_NETNS, type NetnsCounterOptions, type NetnsEntries, type NetnsPass } from './counter';
