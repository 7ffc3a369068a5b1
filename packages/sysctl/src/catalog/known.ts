import { BEHAVIOUR_PARAMS } from './behaviour';
import { HASHSIZE_PARAM, LIMIT_PARAMS } from './limits';
import { TIMEOUT_PARAMS } from './timeouts';
import type { DerivedDefault, HostFacts, KnownParam } from './types';

/** Everything ctscope knows about, by file name under /proc/sys/net/netfilter. */
export const KNOWN_PARAMS: ReadonlyMap<string, KnownParam> = new Map(
  [...LIMIT_PARAMS, ...TIMEOUT_PARAMS, ...BEHAVIOUR_PARAMS].map((p) => [p.key, p]),
);

export { HASHSIZE_PARAM };

export const SYSCTL_PREFIX = 'net.netfilter.';
/** The name ctscope uses for the sysfs module parameter (its path below /sys, dotted). */
export const HASHSIZE_NAME = 'module.nf_conntrack.parameters.hashsize';
/** What a parameter name must look like before anything else is checked. */
export const SYSCTL_NAME_PATTERN = /^net\.netfilter\.nf_conntrack_[a-z0-9_]+$/;

export function isDerived(d: KnownParam['default']): d is DerivedDefault {
  return typeof d === 'object';
}

export function defaultValue(param: KnownParam, facts: HostFacts): number {
  return isDerived(param.default) ? param.default.compute(facts) : param.default;
}

/** "net.netfilter.nf_conntrack_max" → "nf_conntrack_max"; undefined for anything else. */
export function keyOfName(name: string): string | undefined {
  if (name === HASHSIZE_NAME) return 'hashsize';
  return SYSCTL_NAME_PATTERN.test(name) ? name.slice(SYSCTL_PREFIX.length) : undefined;
}

export function knownParamForName(name: string): KnownParam | undefined {
  if (name === HASHSIZE_NAME) return HASHSIZE_PARAM;
  const key = keyOfName(name);
  return key === undefined ? undefined : KNOWN_PARAMS.get(key);
}

const SHORT_NAME = /^[a-z0-9_]+$/;

/**
 * What people type → the full name: "max", "nf_conntrack_max" → "net.netfilter.nf_conntrack_max";
 * "hashsize" → the module parameter. Anything else is returned as given, for the name schema to judge.
 */
export function fullParamName(input: string): string {
  if (input === 'hashsize') return HASHSIZE_NAME;
  if (!SHORT_NAME.test(input)) return input;
  return `${SYSCTL_PREFIX}${input.startsWith('nf_conntrack_') ? input : `nf_conntrack_${input}`}`;
}
