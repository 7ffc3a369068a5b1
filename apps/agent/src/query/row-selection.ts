import { compileCidr, parseCidr, statusMask, type FlowFilter, type PortRange } from '@ctscope/conntrack';
import { HAS, ORIG_SHIFT, REPLY_SHIFT, TUPLE } from '../mirror/columns';
import type { FlowTable } from '../mirror/flow-table';
import { compileRowFilter, type RowPredicate } from './row-filter';

/**
 * One condition applied to a list of rows: keeps the matching ones at the front of `rows` and returns
 * how many. With `all`, the list is every row of the table (`rows` is only written to).
 */
type Stage = (rows: Uint32Array, n: number, all: boolean) => number;

/**
 * The rows matching a filter, written to `out` (at least table.size long); returns how many. The same
 * meaning as compileRowFilter, evaluated one condition at a time over the whole list of candidates: each
 * condition is a tight loop over one or two typed columns, with no call per row and no closure chain,
 * which is what a table of a million entries needs. Compiled per query: use it synchronously.
 */
export function compileRowSelection(filter: FlowFilter, table: FlowTable): RowSelection {
  const stages = selectionStages(filter, table);
  const select = (out: Uint32Array): number => {
    let n = table.size;
    let all = true;
    for (const stage of stages) {
      n = stage(out, n, all);
      all = false;
    }
    if (all) for (let r = 0; r < n; r++) out[r] = r;
    return n;
  };
  return Object.assign(select, { everyRow: stages.length === 0 });
}

/** Writes the matching rows to `out` and returns how many; `everyRow` when the filter has no condition. */
export type RowSelection = ((out: Uint32Array) => number) & { readonly everyRow: boolean };

function selectionStages(filter: FlowFilter, table: FlowTable): Stage[] {
  const c = table.columns;
  const stages: Stage[] = [];
  const { family, proto } = filter;
  // The first stage reads every row and writes each match; later ones read only what is left. Ports,
  // states and addresses usually keep few rows, so they go before protocol and family, which keep most
  // (a table of UDP flows: `udp dport:53` would otherwise list every row once before the port cut it).
  if (filter.sport) stages.push(portIn(c.flags, filter.sport, ORIG_SHIFT, TUPLE.SPORT, c.origSport));
  if (filter.dport) stages.push(portIn(c.flags, filter.dport, ORIG_SHIFT, TUPLE.DPORT, c.origDport));
  if (filter.replySport) stages.push(portIn(c.flags, filter.replySport, REPLY_SHIFT, TUPLE.SPORT, c.replySport));
  if (filter.replyDport) stages.push(portIn(c.flags, filter.replyDport, REPLY_SHIFT, TUPLE.DPORT, c.replyDport));
  if (filter.states?.length) {
    const states = new Set(filter.states);
    const wanted = new Uint8Array(256);
    for (let n = 1; n < 256; n++) {
      const name = table.stateName(n) as string | undefined;
      if (name !== undefined && states.has(name === 'LISTEN' ? 'SYN_SENT2' : name)) wanted[n] = 1;
    }
    stages.push(lookup(c.state, wanted));
  }
  if (filter.src !== undefined) stages.push(addressIn(table, filter.src, c.origSrc));
  if (filter.dst !== undefined) stages.push(addressIn(table, filter.dst, c.origDst));
  if (filter.replySrc !== undefined) stages.push(addressIn(table, filter.replySrc, c.replySrc));
  if (filter.replyDst !== undefined) stages.push(addressIn(table, filter.replyDst, c.replyDst));
  if (proto !== undefined) stages.push(equals(c.protoNum, proto));
  if (family !== undefined) stages.push(flagIs(c.flags, HAS.IPV6, family === 'ipv6'));
  // What is left (status bits, mark, zone, NAT, free text) is tested row by row, after the cheap stages
  // above have thinned the list.
  if (filter.statusRequired?.length || filter.statusForbidden?.length) {
    const required = statusMask(filter.statusRequired);
    const forbidden = statusMask(filter.statusForbidden);
    stages.push(statusIs(c.statusBits, required, forbidden));
  }
  const other: FlowFilter = {};
  if (filter.mark !== undefined) other.mark = filter.mark;
  if (filter.zone !== undefined) other.zone = filter.zone;
  if (filter.nat !== undefined) other.nat = filter.nat;
  if (filter.text !== undefined) other.text = filter.text;
  if (Object.keys(other).length > 0) stages.push(predicate(compileRowFilter(other, table)));
  return stages;
}

function equals(column: Uint8Array, value: number): Stage {
  return (rows, n, all) => {
    let m = 0;
    for (let i = 0; i < n; i++) {
      const r = all ? i : (rows[i] as number);
      if (column[r] === value) rows[m++] = r;
    }
    return m;
  };
}

function flagIs(flags: Uint32Array, flag: number, set: boolean): Stage {
  const want = set ? flag : 0;
  return (rows, n, all) => {
    let m = 0;
    for (let i = 0; i < n; i++) {
      const r = all ? i : (rows[i] as number);
      if (((flags[r] as number) & flag) === want) rows[m++] = r;
    }
    return m;
  };
}

function statusIs(bits: Uint32Array, required: number, forbidden: number): Stage {
  return (rows, n, all) => {
    let m = 0;
    for (let i = 0; i < n; i++) {
      const r = all ? i : (rows[i] as number);
      const b = bits[r] as number;
      if ((b & required) === required && (b & forbidden) === 0) rows[m++] = r;
    }
    return m;
  };
}

function lookup(column: Uint8Array | Uint32Array, wanted: Uint8Array): Stage {
  return (rows, n, all) => {
    let m = 0;
    for (let i = 0; i < n; i++) {
      const r = all ? i : (rows[i] as number);
      if (wanted[column[r] as number] === 1) rows[m++] = r;
    }
    return m;
  };
}

function portIn(flags: Uint32Array, range: PortRange, shift: number, flag: number, ports: Uint16Array): Stage {
  const { min, max } = range;
  return (rows, n, all) => {
    let m = 0;
    for (let i = 0; i < n; i++) {
      const r = all ? i : (rows[i] as number);
      const port = ports[r] as number;
      if (port >= min && port <= max && ((flags[r] as number) >>> shift) & flag) rows[m++] = r;
    }
    return m;
  };
}

/**
 * An address filter decided once per pooled address before the rows are read (a table of a million
 * entries towards a few thousand hosts parses a few thousand addresses), then one byte per row.
 */
function addressIn(table: FlowTable, cidrText: string, numbers: Uint32Array): Stage {
  const parsed = parseCidr(cidrText);
  if (!parsed.ok) throw new TypeError(`invalid address filter "${cidrText}": ${parsed.message}`);
  const inCidr = compileCidr(parsed.cidr);
  const { strings } = table.addresses;
  const span = table.addresses.span;
  const inside = new Uint8Array(span);
  for (let a = 0; a < span; a++) {
    const address = strings[a] as string;
    if (address !== '' && inCidr(address)) inside[a] = 1;
  }
  return lookup(numbers, inside);
}

function predicate(test: RowPredicate): Stage {
  return (rows, n, all) => {
    let m = 0;
    for (let i = 0; i < n; i++) {
      const r = all ? i : (rows[i] as number);
      if (test(r)) rows[m++] = r;
    }
    return m;
  };
}
