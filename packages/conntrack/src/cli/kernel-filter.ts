/** How the CLI source applies a KernelDumpFilter: what it can hand to `conntrack`, and the userspace check. */
import { STATUS_BITS, type Flow, type StatusFlag } from '../flow';
import type { KernelDumpFilter } from '../source';

/** Status names `conntrack -u` understands. */
const CLI_NAMED: ReadonlySet<StatusFlag> = new Set(['ASSURED', 'SEEN_REPLY', 'FIXED_TIMEOUT', 'EXPECTED', 'OFFLOAD', 'HW_OFFLOAD']);
/** Status bits the text output shows (markers), so they can be checked after parsing. */
const VISIBLE_BITS = ['SEEN_REPLY', 'ASSURED', 'OFFLOAD', 'HW_OFFLOAD', 'CONFIRMED'].reduce((m, f) => m | (1 << STATUS_BITS.indexOf(f as StatusFlag)), 0);

function flagsOf(bits: number): StatusFlag[] {
  return STATUS_BITS.filter((_, i) => (bits & (1 << i)) !== 0);
}

export interface CliFilterPlan {
  args: string[];
  /** The userspace check that completes what the CLI did not (or could not) apply. */
  matches: (flow: Flow) => boolean;
}

/** Throws when the status filter names bits the CLI can neither filter nor show. */
export function planKernelFilter(filter: KernelDumpFilter | undefined): CliFilterPlan {
  const args: string[] = [];
  const checks: ((flow: Flow) => boolean)[] = [];
  if (filter?.family !== undefined) {
    const family = filter.family;
    if (family !== 'ipv4' && family !== 'ipv6') throw new TypeError(`invalid family ${String(family)}`);
    args.push('-f', family);
    checks.push((flow) => flow.family === family);
  }
  if (filter?.mark !== undefined) {
    const value = filter.mark.value >>> 0;
    const mask = filter.mark.mask >>> 0;
    args.push('-m', `${value}/${mask}`);
    checks.push((flow) => flow.mark !== undefined && ((flow.mark & mask) >>> 0) === value);
  }
  if (filter?.zone !== undefined) {
    const zone = filter.zone;
    if (!Number.isInteger(zone) || zone < 0 || zone > 0xffff) throw new TypeError(`invalid zone ${zone}`);
    args.push('-w', String(zone));
    checks.push((flow) => (flow.zone ?? 0) === zone);
  }
  if (filter?.status !== undefined && filter.status.mask !== 0) {
    const mask = filter.status.mask >>> 0;
    const value = (filter.status.value & mask) >>> 0;
    const required = flagsOf(value);
    const forbidden = flagsOf(mask & ~value);
    const named = [...required, ...forbidden].every((f) => CLI_NAMED.has(f));
    // conntrack 1.4.7 builds a kernel filter that matches nothing when -u mixes NAME and !NAME.
    if (named && (required.length === 0 || forbidden.length === 0)) {
      args.push('-u', required.length ? required.join(',') : forbidden.map((f) => `!${f}`).join(','));
    } else if ((mask & ~VISIBLE_BITS) !== 0) {
      throw new Error(`the conntrack CLI cannot filter status ${required.join(',')}${forbidden.map((f) => ` !${f}`).join('')}`);
    }
    if ((mask & ~VISIBLE_BITS) === 0) checks.push((flow) => ((flow.statusBits & mask) >>> 0) === value);
  }
  return { args, matches: (flow) => checks.every((check) => check(flow)) };
}
