import type { Flow } from '@ctscope/conntrack';
import type { WindowResult, WindowSpec } from '@ctscope/protocol';
import type { MirrorEntry } from '../mirror/mirror';
import { ADDRESS_COLUMNS, SORT_KEYS, compareAddresses } from './sort-keys';
import { toWireFlow } from './wire-flow';

/** Up to this many leading rows, a bounded heap beats sorting every match. */
const HEAP_LIMIT = 4_096;

export interface WindowInput {
  entries: Iterable<MirrorEntry>;
  size: number;
  match: (flow: Flow) => boolean;
  spec: Pick<WindowSpec, 'sort' | 'offset' | 'limit'>;
  now?: number;
}

/** Filter, sort on any column and cut a window out of the mirror; `total` counts every match. */
export function queryWindow(input: WindowInput): WindowResult {
  const started = performance.now();
  const now = input.now ?? Date.now();
  const { column, desc } = input.spec.sort;
  const sortKey = SORT_KEYS[column];
  const addressOf = ADDRESS_COLUMNS[column];

  const matched: MirrorEntry[] = [];
  for (const entry of input.entries) if (input.match(entry.flow)) matched.push(entry);
  const n = matched.length;
  const keys = new Float64Array(n);
  const ids = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const entry = matched[i] as MirrorEntry;
    keys[i] = sortKey(entry, now);
    ids[i] = entry.flow.id ?? 0;
  }
  const sign = desc ? -1 : 1;
  // Missing values last in both directions; ties by full address, then kernel id, then key, so pages are stable.
  const compare = (a: number, b: number): number => {
    const ka = keys[a] as number;
    const kb = keys[b] as number;
    const aMissing = Number.isNaN(ka);
    const bMissing = Number.isNaN(kb);
    if (aMissing !== bMissing) return aMissing ? 1 : -1;
    if (!aMissing && ka !== kb) return (ka - kb) * sign;
    const ea = matched[a] as MirrorEntry;
    const eb = matched[b] as MirrorEntry;
    if (addressOf) {
      const byAddress = compareAddresses(addressOf(ea), addressOf(eb)) * sign;
      if (byAddress !== 0) return byAddress;
    }
    const byId = (ids[a] as number) - (ids[b] as number);
    if (byId !== 0) return byId;
    return ea.key < eb.key ? -1 : ea.key > eb.key ? 1 : 0;
  };

  const { offset, limit } = input.spec;
  const wanted = Math.min(n, offset + limit);
  const order = wanted <= HEAP_LIMIT ? smallest(n, wanted, compare) : sortAll(n, compare);
  const rows = [];
  for (let i = offset; i < wanted; i++) rows.push(toWireFlow(matched[order[i] as number] as MirrorEntry, now));
  return { total: n, size: input.size, offset, rows, at: now, tookMs: performance.now() - started };
}

function sortAll(n: number, compare: (a: number, b: number) => number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  // Array.prototype.sort is faster than TypedArray sort with a comparator in V8.
  return Uint32Array.from(Array.from(order).sort(compare));
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
