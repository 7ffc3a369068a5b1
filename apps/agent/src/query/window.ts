import type { Flow } from '@ctscope/conntrack';
import type { WindowResult, WindowSpec } from '@ctscope/protocol';
import { flowKey } from '../mirror/flow-key';
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
  /** Windows ending before this row use a bounded heap; deeper ones a key-range sort (tests force either). */
  heapLimit?: number;
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
    const ka2 = flowKey(ea.flow);
    const kb2 = flowKey(eb.flow);
    return ka2 < kb2 ? -1 : ka2 > kb2 ? 1 : 0;
  };

  const { offset, limit } = input.spec;
  const wanted = Math.min(n, offset + limit);
  const order =
    offset >= wanted
      ? new Uint32Array(0)
      : wanted <= (input.heapLimit ?? HEAP_LIMIT)
        ? smallest(n, wanted, compare).subarray(offset) : deepSlice(keys, desc, offset, wanted, compare);
  const rows = [];
  for (const index of order) rows.push(toWireFlow(matched[index] as MirrorEntry, now));
  return { total: n, size: input.size, offset, rows, at: now, tookMs: performance.now() - started };
}

/**
 * Rows [offset, end) of the full order without sorting every match with the comparator: a native sort
 * of the bare keys finds the key range the window covers, and only entries in that range are sorted.
 */
function deepSlice(keys: Float64Array, desc: boolean, offset: number, end: number, compare: (a: number, b: number) => number): Uint32Array {
  const n = keys.length;
  const directed = new Float64Array(n);
  for (let i = 0; i < n; i++) directed[i] = desc ? -(keys[i] as number) : (keys[i] as number);
  const sorted = Float64Array.from(directed).sort(); // numeric, NaN last
  const lo = sorted[offset] as number;
  const hi = sorted[end - 1] as number;
  const inRange = (k: number) => (Number.isNaN(k) ? Number.isNaN(hi) : !Number.isNaN(lo) && k >= lo && (Number.isNaN(hi) || k <= hi));
  let before = 0;
  const candidates: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = directed[i] as number;
    if (inRange(k)) candidates.push(i);
    else if (!Number.isNaN(k) && (Number.isNaN(lo) || k < lo)) before++;
  }
  candidates.sort(compare);
  return Uint32Array.from(candidates.slice(offset - before, end - before));
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
