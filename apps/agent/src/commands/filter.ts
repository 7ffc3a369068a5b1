import {
  compileFilter,
  kernelPart,
  parseConntrackArgs,
  parseQuery,
  type Flow,
  type FlowFilter,
  type KernelDumpFilter,
} from '@ctscope/conntrack';

export interface CommandFilter {
  /** Filters given, for messages and dry runs. */
  filters: FlowFilter[];
  /** What the kernel can apply itself. */
  kernel: KernelDumpFilter;
  matches(flow: Flow): boolean;
  /** True when no filter was given (the command applies to every entry). */
  empty: boolean;
}

/** Conntrack filter flags and/or `--query`; both must match when both are given. */
export function buildFilter(conntrackArgs: readonly string[], query: string | undefined): CommandFilter {
  const filters: FlowFilter[] = [];
  if (conntrackArgs.length > 0) filters.push(parseConntrackArgs(conntrackArgs));
  if (query !== undefined) filters.push(parseQuery(query));
  const predicates = filters.map(compileFilter);
  const kernel = filters[0] ? kernelPart(filters[0]) : {};
  const empty = filters.every((f) => Object.keys(f).length === 0);
  return {
    filters,
    kernel,
    empty,
    matches: predicates.length === 0 ? () => true : predicates.length === 1 ? (predicates[0] as (f: Flow) => boolean) : (flow) => predicates.every((p) => p(flow)),
  };
}
