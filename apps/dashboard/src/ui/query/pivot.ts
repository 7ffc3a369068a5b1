import { printQuery, type FlowFilter } from '@ctscope/conntrack/filter';
import { checkQuery } from './check-query';

/** A change to the filter from a click on a value (a source, a port, a state...). */
export type Pivot = Partial<FlowFilter>;

/**
 * The query with one more condition: the clicked value replaces any condition on the same field.
 * Pasted `conntrack` arguments are rewritten in the query syntax; an unreadable query is replaced.
 */
export function applyPivot(query: string, pivot: Pivot): string {
  const checked = checkQuery(query);
  const base: FlowFilter = checked.ok ? checked.filter : {};
  return printQuery({ ...base, ...pivot });
}

/** Words for a pivot in a tooltip: `dport:443`. */
export function describePivot(pivot: Pivot): string {
  return printQuery(pivot as FlowFilter);
}
