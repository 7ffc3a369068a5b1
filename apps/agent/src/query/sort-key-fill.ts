import type { SortColumn } from '@ctscope/protocol';
import { HAS, ORIG_SHIFT, TUPLE } from '../mirror/columns';
import type { FlowTable } from '../mirror/flow-table';
import { SORT_KEYS } from './sort-keys';

/**
 * Writes the directed sort key of each listed row to `out[i]` (row `rows[i]`, or row `i` when `rows` is
 * null: every row of the table): SORT_KEYS' value, negated
 * when descending, and Infinity for "no value", so that ascending order of `out` is the window's order
 * with missing values last. The common columns are read in a loop of their own over their typed arrays
 * (no call per row); the others go through SORT_KEYS.
 */
export function fillDirectedKeys(column: SortColumn, desc: boolean, table: FlowTable, rows: Uint32Array | null, n: number, now: number, out: Float64Array): void {
  const c = table.columns;
  const sign = desc ? -1 : 1;
  switch (column) {
    case 'proto':
      return plain(c.protoNum, rows, n, sign, out);
    case 'status':
      return plain(c.statusBits, rows, n, sign, out);
    case 'src':
      return address(table.addresses.keys, c.origSrc, rows, n, sign, out);
    case 'dst':
      return address(table.addresses.keys, c.origDst, rows, n, sign, out);
    case 'replySrc':
      return address(table.addresses.keys, c.replySrc, rows, n, sign, out);
    case 'replyDst':
      return address(table.addresses.keys, c.replyDst, rows, n, sign, out);
    case 'sport':
      return port(c.flags, TUPLE.SPORT, c.origSport, TUPLE.ICMP_ID, c.origIcmpId, rows, n, sign, out);
    case 'dport':
      return port(c.flags, TUPLE.DPORT, c.origDport, TUPLE.ICMP_TYPE, c.origIcmpType, rows, n, sign, out);
    case 'mark':
      return flagged(c.flags, HAS.MARK, c.mark, rows, n, sign, out);
    case 'zone':
      return flagged(c.flags, HAS.ZONE, c.zone, rows, n, sign, out);
    case 'id':
      return flagged(c.flags, HAS.ID, c.id, rows, n, sign, out);
    case 'timeout':
      return timeout(table, rows, n, now, sign, out);
    case 'state': {
      const ranks = table.stateRanks();
      for (let i = 0; i < n; i++) {
        const s = c.state[rows === null ? i : (rows[i] as number)] as number;
        out[i] = s === 0 ? Infinity : sign * (ranks[s] as number);
      }
      return;
    }
    default: {
      const key = SORT_KEYS[column];
      for (let i = 0; i < n; i++) {
        const k = key(table, rows === null ? i : (rows[i] as number), now);
        out[i] = k !== k ? Infinity : sign * k;
      }
    }
  }
}

function plain(column: Uint8Array | Uint32Array, rows: Uint32Array | null, n: number, sign: number, out: Float64Array): void {
  for (let i = 0; i < n; i++) out[i] = sign * (column[rows === null ? i : (rows[i] as number)] as number);
}

function address(keys: Float64Array, numbers: Uint32Array, rows: Uint32Array | null, n: number, sign: number, out: Float64Array): void {
  for (let i = 0; i < n; i++) out[i] = sign * (keys[numbers[rows === null ? i : (rows[i] as number)] as number] as number);
}

function flagged(flags: Uint32Array, flag: number, column: Uint16Array | Uint32Array, rows: Uint32Array | null, n: number, sign: number, out: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const r = rows === null ? i : (rows[i] as number);
    out[i] = (flags[r] as number) & flag ? sign * (column[r] as number) : Infinity;
  }
}

function port(flags: Uint32Array, portFlag: number, ports: Uint16Array, icmpFlag: number, icmps: Uint16Array | Uint8Array, rows: Uint32Array | null, n: number, sign: number, out: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const r = rows === null ? i : (rows[i] as number);
    const f = (flags[r] as number) >>> ORIG_SHIFT;
    out[i] = f & portFlag ? sign * (ports[r] as number) : f & icmpFlag ? sign * (icmps[r] as number) : Infinity;
  }
}

/** rowTimeout's value (see sort-keys), inlined. */
function timeout(table: FlowTable, rows: Uint32Array | null, n: number, now: number, sign: number, out: Float64Array): void {
  const { flags, timeout: timeouts, seenAt } = table.columns;
  for (let i = 0; i < n; i++) {
    const r = rows === null ? i : (rows[i] as number);
    if (!((flags[r] as number) & HAS.TIMEOUT)) out[i] = Infinity;
    else out[i] = sign * Math.max(0, (timeouts[r] as number) - Math.floor((now - (seenAt[r] as number)) / 1000));
  }
}
