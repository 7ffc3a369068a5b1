import type { FlowFilter } from '@ctscope/conntrack';
import type { WindowResult, WindowSpec } from '@ctscope/protocol';
import { flowKey } from '../mirror/flow-key';
import type { FlowTable } from '../mirror/flow-table';
import { deepRows } from './deep-window';
import { compileRowFilter } from './row-filter';
import { ADDRESS_COLUMNS, SORT_KEYS, compareAddresses } from './sort-keys';
import { toWireFlow } from './wire-flow';

/**
 * On a table this small, windows ending within HEAP_LIMIT use a bounded heap, which needs no scratch
 * space; on larger tables the column loops of deepRows win even for the first page (one call per row
 * to a filter and a key, and a comparator call per tie at the heap's top, cost more than three tight
 * passes over typed arrays).
 */
const HEAP_TABLE_SIZE = 65_536;
const HEAP_LIMIT = 4_096;

export interface WindowInput {
  /** The mirror's table, read synchronously: rows are taken from its columns. */
  table: FlowTable;
  /** Which entries count (compileQuery's filter), evaluated on the columns (see compileRowFilter). */
  filter: FlowFilter;
  spec: Pick<WindowSpec, 'sort' | 'offset' | 'limit'>;
  now?: number;
  /** Windows ending before this row use a bounded heap; deeper ones bucket selection (default: see HEAP_LIMIT; tests force either). */
  heapLimit?: number;
}

/** Compares two rows by their sort keys and ids, then by what breaks ties among equal ones. */
export type ComparePartsFn = (ka: number, ia: number, ra: number, kb: number, ib: number, rb: number) => number;

/** Missing values last in both directions; ties by full address, then kernel id, then key, so pages are stable. */
function comparer(table: FlowTable, desc: boolean, addressOf: ((table: FlowTable, row: number) => string) | undefined): ComparePartsFn {
  const sign = desc ? -1 : 1;
  const view = table.createView();
  const keys = new Map<number, string>();
  const keyOf = (row: number) => {
    let key = keys.get(row);
    if (key === undefined) keys.set(row, (key = flowKey(view.at(row))));
    return key;
  };
  return (ka, ia, ra, kb, ib, rb) => {
    const aMissing = ka !== ka; // NaN
    const bMissing = kb !== kb;
    if (aMissing !== bMissing) return aMissing ? 1 : -1;
    if (!aMissing && ka !== kb) return (ka - kb) * sign;
    if (addressOf) {
      const byAddress = compareAddresses(addressOf(table, ra), addressOf(table, rb)) * sign;
      if (byAddress !== 0) return byAddress;
    }
    if (ia !== ib) return ia - ib;
    // Entries sharing a kernel id (rare): their keys, built once per row and query.
    const ka2 = keyOf(ra);
    const kb2 = keyOf(rb);
    return ka2 < kb2 ? -1 : ka2 > kb2 ? 1 : 0;
  };
}

/** Filter, sort on any column and cut a window out of the mirror; `total` counts every match. */
export function queryWindow(input: WindowInput): WindowResult {
  const started = performance.now();
  const now = input.now ?? Date.now();
  const { column, desc } = input.spec.sort;
  const { offset, limit } = input.spec;
  const { table } = input;
  const compareParts = comparer(table, desc, ADDRESS_COLUMNS[column]);
  const heapLimit = input.heapLimit ?? (table.size <= HEAP_TABLE_SIZE ? HEAP_LIMIT : 0);
  const picked = offset + limit <= heapLimit ? leadingRows(input, now, compareParts) : deepRows(input, now, compareParts);
  const rows = Array.from(picked.rows, (row) => toWireFlow(table.entryAt(row), now));
  return { total: picked.total, size: table.size, offset, rows, at: now, tookMs: performance.now() - started };
}

/**
 * One pass over the mirror keeping the best `offset + limit` matches in a bounded heap: nothing is
 * allocated per entry, so the first pages stay fast on a large table.
 */
function leadingRows(input: WindowInput, now: number, compareParts: ComparePartsFn): { total: number; rows: Uint32Array } {
  const { offset, limit } = input.spec;
  const sortKey = SORT_KEYS[input.spec.sort.column];
  const k = offset + limit;
  const sign = input.spec.sort.desc ? -1 : 1;
  const heapEntries = new Uint32Array(k);
  const heapKeys = new Float64Array(k);
  const heapIds = new Float64Array(k);
  const cmp = (a: number, b: number) => compareParts(heapKeys[a] as number, heapIds[a] as number, heapEntries[a] as number, heapKeys[b] as number, heapIds[b] as number, heapEntries[b] as number);
  const swap = (a: number, b: number) => {
    const key = heapKeys[a] as number;
    heapKeys[a] = heapKeys[b] as number;
    heapKeys[b] = key;
    const id = heapIds[a] as number;
    heapIds[a] = heapIds[b] as number;
    heapIds[b] = id;
    const row = heapEntries[a] as number;
    heapEntries[a] = heapEntries[b] as number;
    heapEntries[b] = row;
  };
  let size = 0;
  let total = 0;
  const { table } = input;
  const match = compileRowFilter(input.filter, table);
  const ids = table.columns.id;
  for (let row = 0, n = table.size; row < n; row++) {
    if (!match(row)) continue;
    total++;
    const key = sortKey(table, row, now);
    const id = ids[row] as number;
    if (size < k) {
      heapKeys[size] = key;
      heapIds[size] = id;
      heapEntries[size] = row;
      for (let i = size++; i > 0; ) {
        const parent = (i - 1) >> 1;
        if (cmp(i, parent) <= 0) break;
        swap(i, parent);
        i = parent;
      }
    } else if (
      // Most rows lose to the heap's worst on the key alone (both present, different): no call needed.
      !(key === key && heapKeys[0] === heapKeys[0] && key !== heapKeys[0] && (key - (heapKeys[0] as number)) * sign > 0) &&
      compareParts(key, id, row, heapKeys[0] as number, heapIds[0] as number, heapEntries[0] as number) < 0
    ) {
      heapKeys[0] = key;
      heapIds[0] = id;
      heapEntries[0] = row;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let largest = i;
        if (l < size && cmp(l, largest) > 0) largest = l;
        if (r < size && cmp(r, largest) > 0) largest = r;
        if (largest === i) break;
        swap(i, largest);
        i = largest;
      }
    }
  }
  const order = Array.from({ length: size }, (_, i) => i).sort(cmp);
  return { total, rows: Uint32Array.from(order.slice(offset), (i) => heapEntries[i] as number) };
}

/** The `k` smallest of `n` items in order, using a max-heap of size k: O(n log k). */
export function smallest(n: number, k: number, compare: (a: number, b: number) => number): Uint32Array {
  if (k === 0) return new Uint32Array(0);
  const heap = new Uint32Array(k);
  let size = 0;
  const siftUp = (i: number) => {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (compare(heap[i] as number, heap[parent] as number) <= 0) return;
      [heap[i], heap[parent]] = [heap[parent] as number, heap[i] as number];
      i = parent;
    }
  };
  const siftDown = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let largest = i;
      if (l < size && compare(heap[l] as number, heap[largest] as number) > 0) largest = l;
      if (r < size && compare(heap[r] as number, heap[largest] as number) > 0) largest = r;
      if (largest === i) return;
      [heap[i], heap[largest]] = [heap[largest] as number, heap[i] as number];
      i = largest;
    }
  };
  for (let item = 0; item < n; item++) {
    if (size < k) {
      heap[size] = item;
      siftUp(size++);
    } else if (compare(item, heap[0] as number) < 0) {
      heap[0] = item;
      siftDown(0);
    }
  }
  return Uint32Array.from(Array.from(heap.subarray(0, size)).sort(compare));
}
