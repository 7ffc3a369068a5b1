import type { SortColumn } from '@ctscope/protocol';
import type { FlowTable } from '../mirror/flow-table';
import { sortRange } from './select';

/**
 * Windows sorted on a column stored as one byte per row (protocol, TCP state) are cut by counting
 * instead of by the general selection on 8-byte keys: one pass counts the rows of each value, which
 * says which values' groups the window covers; inside a group every key is equal and the comparator
 * orders rows by kernel id, so a second pass counts the ids of the (at most two) groups the window
 * only partly covers into buckets, and a third gathers the rows of the buckets the window falls in and
 * of the groups it covers whole. Three passes over one byte and one id per row, instead of writing,
 * scanning and narrowing an 8-byte key and a candidate per row: the all-tied window at offset 100,000
 * of 1,000,000 entries went from 23–27 ms to 8–9 (p50 of the query bench).
 */

/** How a byte column's values are ordered in a window: `order` lists them first to last. */
export interface ByteKeys {
  values: Uint8Array;
  /** Every value that may occur, in window order, "no value" (the state's 0) last. */
  order: Uint8Array;
  /** The directed key the comparator is given for rows of value v (NaN for "no value"). */
  keyOf: (v: number) => number;
}

/** The byte columns this path serves, or undefined for any other. */
export function byteKeys(column: SortColumn, desc: boolean, table: FlowTable): ByteKeys | undefined {
  const sign = desc ? -1 : 1;
  if (column === 'proto') {
    const order = Uint8Array.from({ length: 256 }, (_, i) => (desc ? 255 - i : i));
    return { values: table.columns.protoNum, order, keyOf: (v) => sign * v };
  }
  if (column === 'state') {
    const ranks = table.stateRanks();
    const present = Array.from({ length: 255 }, (_, i) => i + 1).sort((a, b) => ((ranks[a] as number) - (ranks[b] as number)) * sign || a - b);
    return { values: table.columns.state, order: Uint8Array.from([...present, 0]), keyOf: (v) => (v === 0 ? NaN : sign * (ranks[v] as number)) };
  }
  return undefined;
}

const ID_BITS = 12;
const ID_BUCKETS = 2 ** ID_BITS;
/** No value: a group slot that no row matches. */
const NONE = 256;

/**
 * A group the window covers only in part (only the first and the last group it meets can be): its
 * positions [start, stop) among its own rows ordered by id, and its id buckets.
 */
interface Edge {
  value: number;
  start: number;
  stop: number;
  /** Bucket of an id: (id - base) >>> shift. */
  base: number;
  shift: number;
  counts: Uint32Array;
  /** The buckets the positions fall in, and how many of the group's rows lie in buckets before them. */
  from: number;
  to: number;
  before: number;
}

type Compare = (ka: number, ia: number, ra: number, kb: number, ib: number, rb: number) => number;

/**
 * Rows at positions [offset, end) of the selected rows (`rows[0, n)`, or every row when null) ordered
 * by the byte column, ties by `compare` (id first), or undefined when ids bunch so much that the
 * buckets leave too many candidates (then the general path serves the window).
 */
export function byteKeyRows(keys: ByteKeys, ids: Uint32Array, rows: Uint32Array | null, n: number, offset: number, end: number, compare: Compare): Uint32Array | undefined {
  const { values, order } = keys;
  const counts = countValues(values, rows, n);
  const whole = new Uint8Array(NONE + 1);
  const groups: { value: number; edge?: Edge }[] = [];
  for (let at = 0, before = 0; at < order.length && before < end; at++) {
    const value = order[at] as number;
    const count = counts[value] as number;
    const start = Math.max(0, offset - before);
    const stop = Math.min(count, end - before);
    before += count;
    if (start >= stop) continue;
    if (start === 0 && stop === count) whole[value] = 1;
    // Kernel ids are hashes: their top bits spread them.
    const edge = whole[value] ? undefined : { value, start, stop, base: 0, shift: 32 - ID_BITS, counts: new Uint32Array(ID_BUCKETS), from: 0, to: 0, before: 0 };
    groups.push(edge ? { value, edge } : { value });
  }
  const edges = groups.flatMap((g) => (g.edge ? [g.edge] : []));
  const [a, b] = [edges[0] ?? noEdge(), edges[1] ?? noEdge()];
  if (edges.length > 0 && !placed(values, ids, rows, n, a, b)) {
    // Ids bunched in a narrower range (other sources, small tables): counted again over their own range.
    idRanges(values, ids, rows, n, a, b);
    if (!placed(values, ids, rows, n, a, b)) return undefined;
  }
  const candidates = gather(values, ids, rows, n, whole, a, b);
  const out: number[] = [];
  for (const { value, edge } of groups) {
    const k = keys.keyOf(value);
    const items = Uint32Array.from(candidates.filter((row) => values[row] === value));
    const byId = (x: number, y: number) => compare(k, ids[x] as number, x, k, ids[y] as number, y);
    const start = edge ? edge.start - edge.before : 0;
    const stop = edge ? edge.stop - edge.before : items.length;
    sortRange(items, start, stop, byId);
    for (let i = start; i < stop; i++) out.push(items[i] as number);
  }
  return Uint32Array.from(out);
}

const noEdge = (): Edge => ({ value: NONE, start: 0, stop: 0, base: 0, shift: 0, counts: new Uint32Array(1), from: 1, to: 0, before: 0 });

// Each loop over the rows is a function of its own, and reads the (at most two) edge groups' numbers
// as locals: V8 compiles it alone and keeps that code, and a per-row lookup by value cost 2× as much.

function countValues(values: Uint8Array, rows: Uint32Array | null, n: number): Uint32Array {
  const counts = new Uint32Array(256);
  for (let i = 0; i < n; i++) {
    const v = values[rows === null ? i : (rows[i] as number)] as number;
    counts[v] = (counts[v] as number) + 1;
  }
  return counts;
}

/** Counts the edge groups' rows into their id buckets and places their positions in them; false if too many candidates are left. */
function placed(values: Uint8Array, ids: Uint32Array, rows: Uint32Array | null, n: number, a: Edge, b: Edge): boolean {
  countIds(values, ids, rows, n, a, b);
  return place(a) && place(b);
}

function countIds(values: Uint8Array, ids: Uint32Array, rows: Uint32Array | null, n: number, a: Edge, b: Edge): void {
  const { value: va, base: baseA, shift: shiftA, counts: countsA } = a;
  const { value: vb, base: baseB, shift: shiftB, counts: countsB } = b;
  countsA.fill(0);
  countsB.fill(0);
  for (let i = 0; i < n; i++) {
    const row = rows === null ? i : (rows[i] as number);
    const v = values[row] as number;
    if (v === va) {
      const k = ((ids[row] as number) - baseA) >>> shiftA;
      countsA[k] = (countsA[k] as number) + 1;
    } else if (v === vb) {
      const k = ((ids[row] as number) - baseB) >>> shiftB;
      countsB[k] = (countsB[k] as number) + 1;
    }
  }
}

/** The rows of the groups the window covers whole and those in the edge groups' chosen buckets. */
function gather(values: Uint8Array, ids: Uint32Array, rows: Uint32Array | null, n: number, whole: Uint8Array, a: Edge, b: Edge): number[] {
  const { value: va, base: baseA, shift: shiftA, from: fromA, to: toA } = a;
  const { value: vb, base: baseB, shift: shiftB, from: fromB, to: toB } = b;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = rows === null ? i : (rows[i] as number);
    const v = values[row] as number;
    if (v === va) {
      const k = ((ids[row] as number) - baseA) >>> shiftA;
      if (k >= fromA && k <= toA) out.push(row);
    } else if (v === vb) {
      const k = ((ids[row] as number) - baseB) >>> shiftB;
      if (k >= fromB && k <= toB) out.push(row);
    } else if (whole[v]) out.push(row);
  }
  return out;
}

/** Each edge group's smallest id as its base, and the shift that spreads its ids over ID_BUCKETS. */
function idRanges(values: Uint8Array, ids: Uint32Array, rows: Uint32Array | null, n: number, a: Edge, b: Edge): void {
  let minA = Infinity;
  let maxA = -Infinity;
  let minB = Infinity;
  let maxB = -Infinity;
  for (let i = 0; i < n; i++) {
    const row = rows === null ? i : (rows[i] as number);
    const v = values[row] as number;
    const id = ids[row] as number;
    if (v === a.value) {
      if (id < minA) minA = id;
      if (id > maxA) maxA = id;
    } else if (v === b.value) {
      if (id < minB) minB = id;
      if (id > maxB) maxB = id;
    }
  }
  const spread = (e: Edge, min: number, max: number) => {
    if (e.value === NONE) return;
    e.base = min;
    e.shift = Math.max(0, Math.ceil(Math.log2(max - min + 1)) - ID_BITS);
  };
  spread(a, minA, maxA);
  spread(b, minB, maxB);
}

/**
 * Finds the id buckets an edge group's positions fall in; false when they hold too many rows for a
 * comparator sort (ids bunched on a few values). A missing edge (value NONE) is placed as it is.
 */
function place(e: Edge): boolean {
  if (e.value === NONE) return true;
  const { counts } = e;
  let before = 0;
  let from = 0;
  while (before + (counts[from] as number) <= e.start) before += counts[from++] as number;
  let to = from;
  let through = before + (counts[from] as number);
  while (through < e.stop) through += counts[++to] as number;
  e.from = from;
  e.to = to;
  e.before = before;
  return through - before <= 4 * (e.stop - e.start) + 1_024;
}
