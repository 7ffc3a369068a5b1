import { compileCidr, hasDstNat, hasSrcNat, parseCidr, statusMask, type FlowFilter, type PortRange } from '@ctscope/conntrack';
import { HAS, ORIG_SHIFT, REPLY_SHIFT, TUPLE } from '../mirror/columns';
import type { FlowTable } from '../mirror/flow-table';
import { rowSearchPredicate } from './row-search-text';

/** Whether row `row` of the table matches. */
export type RowPredicate = (row: number) => boolean;

type AddressColumn = 'origSrc' | 'origDst' | 'replySrc' | 'replyDst';

/**
 * An address filter decided once per pooled address, not once per entry: a table of a million entries
 * towards a few thousand hosts parses a few thousand addresses.
 */
function addressPredicate(table: FlowTable, cidrText: string, column: AddressColumn): RowPredicate {
  const parsed = parseCidr(cidrText);
  if (!parsed.ok) throw new TypeError(`invalid address filter "${cidrText}": ${parsed.message}`);
  const inCidr = compileCidr(parsed.cidr);
  const { strings } = table.addresses;
  const decided = new Uint8Array(table.addresses.span); // 0 not yet, 1 in, 2 out
  const numbers = table.columns[column];
  return (row) => {
    const a = numbers[row] as number;
    let d = decided[a] as number;
    if (d === 0) decided[a] = d = inCidr(strings[a] as string) ? 1 : 2;
    return d === 1;
  };
}

function portPredicate(table: FlowTable, range: PortRange, shift: number, flag: number, ports: Uint16Array): RowPredicate {
  const { min, max } = range;
  const { flags } = table.columns;
  return (row) => {
    if (!(((flags[row] as number) >>> shift) & flag)) return false;
    const port = ports[row] as number;
    return port >= min && port <= max;
  };
}

/**
 * compileFilter's meaning (same results as `conntrack -L` with the equivalent options), evaluated on the
 * table's columns: no Flow is built or read per entry, except for NAT, whose rule needs both tuples.
 * Compiled per query, for the table as it is: use it synchronously.
 */
export function compileRowFilter(filter: FlowFilter, table: FlowTable): RowPredicate {
  const c = table.columns;
  const checks: RowPredicate[] = [];
  const { family, proto } = filter;
  if (family !== undefined) checks.push((row) => (((c.flags[row] as number) & HAS.IPV6) !== 0) === (family === 'ipv6'));
  if (proto !== undefined) checks.push((row) => c.protoNum[row] === proto);
  if (filter.statusRequired?.length || filter.statusForbidden?.length) {
    const required = statusMask(filter.statusRequired);
    const forbidden = statusMask(filter.statusForbidden);
    checks.push((row) => ((c.statusBits[row] as number) & required) === required && ((c.statusBits[row] as number) & forbidden) === 0);
  }
  if (filter.mark !== undefined) {
    const { value, mask } = filter.mark;
    checks.push((row) => ((c.flags[row] as number) & HAS.MARK) !== 0 && (((c.mark[row] as number) & mask) >>> 0) === value);
  }
  if (filter.zone !== undefined) {
    const zone = filter.zone;
    checks.push((row) => ((c.flags[row] as number) & HAS.ZONE ? (c.zone[row] as number) : 0) === zone);
  }
  if (filter.states?.length) {
    const states = new Set(filter.states);
    const wanted = new Uint8Array(256);
    for (let n = 1; n < 256; n++) {
      const name = table.stateName(n) as string | undefined;
      if (name !== undefined && states.has(name === 'LISTEN' ? 'SYN_SENT2' : name)) wanted[n] = 1;
    }
    checks.push((row) => wanted[c.state[row] as number] === 1);
  }
  if (filter.sport) checks.push(portPredicate(table, filter.sport, ORIG_SHIFT, TUPLE.SPORT, c.origSport));
  if (filter.dport) checks.push(portPredicate(table, filter.dport, ORIG_SHIFT, TUPLE.DPORT, c.origDport));
  if (filter.replySport) checks.push(portPredicate(table, filter.replySport, REPLY_SHIFT, TUPLE.SPORT, c.replySport));
  if (filter.replyDport) checks.push(portPredicate(table, filter.replyDport, REPLY_SHIFT, TUPLE.DPORT, c.replyDport));
  if (filter.src !== undefined) checks.push(addressPredicate(table, filter.src, 'origSrc'));
  if (filter.dst !== undefined) checks.push(addressPredicate(table, filter.dst, 'origDst'));
  if (filter.replySrc !== undefined) checks.push(addressPredicate(table, filter.replySrc, 'replySrc'));
  if (filter.replyDst !== undefined) checks.push(addressPredicate(table, filter.replyDst, 'replyDst'));
  if (filter.nat !== undefined) {
    const view = table.createView();
    const nat = filter.nat;
    const test =
      nat === 'snat' ? hasSrcNat : nat === 'dnat' ? hasDstNat : nat === 'both' ? (f: Parameters<typeof hasSrcNat>[0]) => hasSrcNat(f) && hasDstNat(f) : (f: Parameters<typeof hasSrcNat>[0]) => hasSrcNat(f) || hasDstNat(f);
    checks.push((row) => test(view.at(row)));
  }
  if (filter.text?.length) checks.push(rowSearchPredicate(table, filter.text));
  const count = checks.length;
  if (count === 0) return () => true;
  if (count === 1) return checks[0] as RowPredicate;
  return (row) => {
    for (let i = 0; i < count; i++) if (!(checks[i] as RowPredicate)(row)) return false;
    return true;
  };
}
