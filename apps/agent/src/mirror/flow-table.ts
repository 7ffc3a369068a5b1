import type { Flow, StatusFlag, Tuple } from '@ctscope/conntrack';

/** One mirrored entry: the flow and when the kernel last told us about it. */
export interface MirrorEntry {
  readonly flow: Flow;
  /** Agent clock (ms) when the flow was dumped or its last event arrived; `flow.timeout` counts from here. */
  readonly seenAt: number;
}

/**
 * A stored entry: its place in the dense row list, the resync generation that last saw it, and whether
 * only dumps have reported it so far (see FlowTable.eventless).
 */
class Row implements MirrorEntry {
  constructor(
    public flow: Flow,
    public seenAt: number,
    public index: number,
    public generation: number,
    public eventless: boolean,
  ) {}
}

type Slot = Row | Row[];
/** Most distinct address strings kept for sharing; past it the table starts over (still correct, less sharing). */
const MAX_INTERNED = 65_536;
/** Distinct status combinations seen in practice are a few dozen. */
const MAX_STATUS_ARRAYS = 1_024;

function sameTuple(a: Tuple, b: Tuple): boolean {
  return a.src === b.src && a.dst === b.dst && a.sport === b.sport && a.dport === b.dport && a.icmpType === b.icmpType && a.icmpCode === b.icmpCode && a.icmpId === b.icmpId && a.zone === b.zone;
}

/** Same kernel entry: same id, protocol, original tuple and zone (the id alone is a reusable 32-bit hash). */
export function sameEntry(a: Flow, b: Flow): boolean {
  return a.id === b.id && a.protoNum === b.protoNum && a.zone === b.zone && sameTuple(a.orig, b.orig);
}

/** What the kernel may change during an entry's life; the rest (tuples, zone, id, protocol) never does. */
const CHANGING = ['status', 'statusBits', 'state', 'timeout', 'mark', 'use', 'labels', 'helper', 'secctx', 'countersOrig', 'countersReply', 'timestampStart', 'timestampStop'] as const;

function copyField<K extends (typeof CHANGING)[number]>(to: Flow, from: Flow, key: K): void {
  const value = from[key];
  if (value !== undefined) to[key] = value;
}

/**
 * Copies what changed from a fresh report of the same entry into the stored flow, so the fresh object
 * dies young instead of replacing a long-lived one: a resync of a large table then leaves no garbage in
 * the old generation to grow the heap. Returns false, changing nothing, when the fresh report lacks a
 * field the stored one has, or its reply tuple differs (the caller replaces the flow then).
 */
function refreshInPlace(stored: Flow, fresh: Flow): boolean {
  for (const key of CHANGING) if (stored[key] !== undefined && fresh[key] === undefined) return false;
  if (!sameTuple(stored.reply, fresh.reply)) return false;
  for (const key of CHANGING) copyField(stored, fresh, key);
  return true;
}

/**
 * The mirrored table, indexed by kernel id, kept compact: entries sharing an id (rare) share a slot, and
 * address strings and status arrays repeated across entries are stored once. Rows also sit in one dense
 * array, so a query walks them with a plain loop instead of a generator over the index.
 *
 * A resync merges a dump in place (`beginMerge`, `set` for every dumped flow, `sweep`): entries the dump
 * did not see are removed at the end, and the table is never held twice.
 */
export class FlowTable {
  /** Keyed by the id as a signed 32-bit integer: small integers need no boxed number per key. */
  private readonly byId = new Map<number, Slot>();
  private readonly rows: Row[] = [];
  private generation = 0;
  private readonly addresses = new Map<string, string>();
  private readonly statuses = new Map<number, StatusFlag[]>();
  private eventlessRows = 0;

  get size(): number {
    return this.rows.length;
  }

  /**
   * Entries known only from dumps, never from an event. With nf_conntrack_events=2 (the default) the
   * kernel gives an entry its event record only if someone listened when it was created, so entries
   * older than our subscription never report an update or their end: only a dump tells what became
   * of them. (An entry whose NEW event was lost in an overrun counts here too until its next event.)
   */
  get eventless(): number {
    return this.eventlessRows;
  }

  /**
   * Every entry, as the table's own dense array: read it synchronously and keep nothing (the table
   * reorders it on removal). An array, not an iterator: a query walks it with an index instead of
   * allocating an iterator result per entry (10 MB per query over 250,000 entries).
   */
  values(): readonly MirrorEntry[] {
    return this.rows;
  }

  /** The live entry for this flow's identity, if any. */
  find(flow: Flow): MirrorEntry | undefined {
    return this.findRow(flow);
  }

  /** Entries with this kernel id (usually one). */
  withId(id: number): readonly MirrorEntry[] {
    const slot = this.byId.get(id | 0);
    return slot === undefined ? [] : Array.isArray(slot) ? slot : [slot];
  }

  /** Stores what a dump (`fromEvent` false) or an event (true) reported of an entry. */
  set(flow: Flow, seenAt: number, fromEvent: boolean): MirrorEntry {
    const compact = this.compact(flow);
    const existing = this.findRow(flow);
    if (existing) {
      if (!refreshInPlace(existing.flow, compact)) existing.flow = compact;
      existing.seenAt = seenAt;
      existing.generation = this.generation;
      if (fromEvent && existing.eventless) {
        existing.eventless = false;
        this.eventlessRows--;
      }
      return existing;
    }
    const row = new Row(compact, seenAt, this.rows.length, this.generation, !fromEvent);
    if (!fromEvent) this.eventlessRows++;
    this.rows.push(row);
    const key = (flow.id ?? 0) | 0;
    const slot = this.byId.get(key);
    if (slot === undefined) this.byId.set(key, row);
    else if (Array.isArray(slot)) slot.push(row);
    else this.byId.set(key, [slot, row]);
    return row;
  }

  delete(flow: Flow): boolean {
    const row = this.findRow(flow);
    if (!row) return false;
    this.unlink(row);
    return true;
  }

  /** Removes every entry known only from dumps; returns how many. */
  dropEventless(): number {
    let removed = 0;
    for (let i = this.rows.length - 1; i >= 0; i--) {
      const row = this.rows[i] as Row;
      if (!row.eventless) continue;
      this.unlink(row);
      removed++;
    }
    return removed;
  }

  /** Starts merging a dump: entries `set` from now on belong to the new generation. */
  beginMerge(): void {
    this.generation++;
  }

  /** Removes every entry not `set` since `beginMerge`; returns how many. */
  sweep(): number {
    let removed = 0;
    for (let i = this.rows.length - 1; i >= 0; i--) {
      const row = this.rows[i] as Row;
      if (row.generation === this.generation) continue;
      this.unlink(row);
      removed++;
    }
    return removed;
  }

  private findRow(flow: Flow): Row | undefined {
    const slot = this.byId.get((flow.id ?? 0) | 0);
    if (slot === undefined) return undefined;
    if (!Array.isArray(slot)) return sameEntry(slot.flow, flow) ? slot : undefined;
    return slot.find((e) => sameEntry(e.flow, flow));
  }

  /** Removes a row from the index and the dense list (the last row takes its place). */
  private unlink(row: Row): void {
    if (row.eventless) this.eventlessRows--;
    const key = (row.flow.id ?? 0) | 0;
    const slot = this.byId.get(key);
    if (slot === row) this.byId.delete(key);
    else if (Array.isArray(slot)) {
      slot.splice(slot.indexOf(row), 1);
      if (slot.length === 1) this.byId.set(key, slot[0] as Row);
    }
    const last = this.rows.pop() as Row;
    if (last !== row) {
      this.rows[row.index] = last;
      last.index = row.index;
    }
  }
  private compact(flow: Flow): Flow {
    const { orig, reply } = flow;
    orig.src = this.intern(orig.src);
    orig.dst = this.intern(orig.dst);
    reply.src = reply.src === orig.dst ? orig.dst : this.intern(reply.src);
    reply.dst = reply.dst === orig.src ? orig.src : this.intern(reply.dst);
    const status = this.statuses.get(flow.statusBits);
    if (status) flow.status = status;
    else if (this.statuses.size < MAX_STATUS_ARRAYS) this.statuses.set(flow.statusBits, flow.status);
    return flow;
  }

  private intern(address: string): string {
    const known = this.addresses.get(address);
    if (known !== undefined) return known;
    if (this.addresses.size >= MAX_INTERNED) this.addresses.clear();
    this.addresses.set(address, address);
    return address;
  }
}
