import { protoName, STATUS_BITS, type Flow, type L4ProtoName, type PlainFlow, type StatusFlag } from '@ctscope/conntrack';
import { AddressPool } from './address-pool';
import { Columns, HAS, ORIG_SHIFT, REPLY_SHIFT, TUPLE, tupleFlags, writeTuple } from './columns';
import { FlowView, materialize, type RowExtra, type RowStore } from './flow-view';
import { IdIndex } from './id-index';

/** One mirrored entry: the flow and when the kernel last told us about it. */
export interface MirrorEntry {
  readonly flow: Flow;
  /** Agent clock (ms) when the flow was dumped or its last event arrived; `flow.timeout` counts from here. */
  readonly seenAt: number;
}

const MIN_CAPACITY = 1_024;
/** A tuple with both ports and nothing else (TUPLE bits). */
const PORTS = TUPLE.SPORT | TUPLE.DPORT;
/** The flags of every plain entry (see setPlain), EVENTLESS and ZONE aside. */
const PLAIN_FLAGS = (PORTS << ORIG_SHIFT) | (PORTS << REPLY_SHIFT) | HAS.ID | HAS.TIMEOUT | HAS.MARK | HAS.USE;
const GROWTH = 1.5;

/**
 * The mirrored table in columns (see Columns): rows are dense, [0, size), so a query walks them with a
 * plain loop; a removed row takes the last row in its place. Entries are indexed by kernel id through
 * an open hash of row chains kept in typed arrays too. Addresses are pooled (AddressPool), states and
 * status combinations named once; helper, security context and labels, rare, sit in a side map.
 *
 * A resync merges a dump in place (`beginMerge`, `set` for every dumped flow, `sweep`): entries the dump
 * did not see are removed at the end, and the table is never held twice.
 */
export class FlowTable implements RowStore {
  readonly columns = new Columns();
  readonly addresses = new AddressPool();
  private rows = 0;
  private generation = 0;
  private eventlessRows = 0;
  private readonly index = new IdIndex(this.columns);
  private readonly states: string[] = [];
  private readonly stateIndex = new Map<string, number>();
  private readonly protoNames: (L4ProtoName | undefined)[] = [];
  private readonly statuses = new Map<number, StatusFlag[]>();
  private readonly extras = new Map<number, RowExtra>();
  private readonly view = new FlowView(this);
  /** The row findRow tries first (see there). */
  private hint = 0;
  private ranks = new Uint8Array(0);

  constructor() {
    this.columns.resize(MIN_CAPACITY);
  }

  get size(): number {
    return this.rows;
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

  /** A reusable view of one row as a Flow (see FlowView: read it at once, keep nothing). */
  createView(): FlowView {
    return new FlowView(this);
  }

  /** Row `row` as an entry of its own, safe to keep. */
  entryAt(row: number): MirrorEntry {
    return { flow: materialize(this.view.at(row)), seenAt: this.columns.seenAt[row] as number };
  }

  /** Every entry, each a Flow of its own (costly on a large table: queries read the columns instead). */
  entries(): MirrorEntry[] {
    return Array.from({ length: this.rows }, (_, row) => this.entryAt(row));
  }

  /** The live entry for this flow's identity, if any. */
  find(flow: Flow): MirrorEntry | undefined {
    const row = this.findRow(flow);
    return row < 0 ? undefined : this.entryAt(row);
  }

  /** Entries with this kernel id (usually one). */
  withId(id: number): MirrorEntry[] {
    const out: MirrorEntry[] = [];
    const c = this.columns;
    for (let r = this.index.first(id) - 1; r >= 0; r = (c.next[r] as number) - 1) {
      if ((c.flags[r] as number) & HAS.ID && c.id[r] === id >>> 0) out.push(this.entryAt(r));
    }
    return out;
  }

  /** Stores what a dump (`fromEvent` false) or an event (true) reported of an entry; returns its row. */
  set(flow: Flow, seenAt: number, fromEvent: boolean): number {
    const c = this.columns;
    let row = this.findRow(flow);
    if (row >= 0) {
      const wasEventless = ((c.flags[row] as number) & HAS.EVENTLESS) !== 0;
      const eventless = wasEventless && !fromEvent;
      if (wasEventless && !eventless) this.eventlessRows--;
      this.write(row, flow, seenAt, eventless, true);
      return row;
    }
    if (this.rows === c.capacity) this.resize(Math.ceil(c.capacity * GROWTH));
    row = this.rows++;
    if (!fromEvent) this.eventlessRows++;
    this.write(row, flow, seenAt, !fromEvent, false);
    this.index.link(row, this.rows);
    return row;
  }

  /**
   * set(flow, seenAt, false) for a dumped entry of the plain shape read by scanPlainFlow (`flow` is what
   * decodeFlow would have returned): the same row, without a Flow or address strings.
   */
  setPlain(p: PlainFlow, seenAt: number): number {
    const c = this.columns;
    let row = this.findPlainRow(p);
    // From a dump: an entry known from events stays so, one known only from dumps too.
    if (row >= 0) return this.writePlain(row, p, seenAt, ((c.flags[row] as number) & HAS.EVENTLESS) !== 0, true);
    if (this.rows === c.capacity) this.resize(Math.ceil(c.capacity * GROWTH));
    row = this.rows++;
    this.eventlessRows++;
    this.writePlain(row, p, seenAt, true, false);
    this.index.link(row, this.rows);
    return row;
  }

  delete(flow: Flow): boolean {
    const row = this.findRow(flow);
    if (row < 0) return false;
    this.remove(row);
    return true;
  }

  /** Removes every entry known only from dumps; returns how many. */
  dropEventless(): number {
    return this.removeWhere((row) => ((this.columns.flags[row] as number) & HAS.EVENTLESS) !== 0);
  }

  /** Starts merging a dump: entries `set` from now on belong to the new generation. */
  beginMerge(): void {
    this.generation = (this.generation + 1) & 0xffff;
    this.hint = 0;
  }

  /** Removes every entry not `set` since `beginMerge`; returns how many. */
  sweep(): number {
    const gen = this.columns.generation;
    return this.removeWhere((row) => gen[row] !== this.generation);
  }

  // RowStore: what a FlowView reads besides the columns.
  stateName(index: number): string {
    return this.states[index - 1] as string;
  }
  /** Each state number's place in the alphabetical order of the names (sorting by state). */
  stateRanks(): Uint8Array {
    if (this.ranks.length === 0) {
      const order = this.states.map((name, i) => ({ name, n: i + 1 })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      this.ranks = new Uint8Array(256);
      order.forEach(({ n }, rank) => (this.ranks[n] = rank));
    }
    return this.ranks;
  }

  /** The number state names are stored under (0: no entry has this state). */
  stateNumberOf(state: string): number {
    return this.stateIndex.get(state) ?? 0;
  }
  protoName(protoNum: number): L4ProtoName {
    return this.protoNames[protoNum] ?? 'unknown';
  }
  statusNames(bits: number): StatusFlag[] {
    let names = this.statuses.get(bits);
    if (!names) {
      names = STATUS_BITS.filter((_, i) => (bits & (1 << i)) !== 0);
      if (this.statuses.size < 4_096) this.statuses.set(bits, names);
    }
    return names;
  }
  extra(row: number): RowExtra | undefined {
    return this.extras.get(row);
  }

  /** The row of the live entry with this flow's identity, or -1. */
  findRow(flow: Flow): number {
    const c = this.columns;
    const id = flow.id;
    // A dump lists entries in the kernel's order, which the previous dump stored in the same order:
    // during a merge the row after the last one found is tried first, read in sequence, not by hash.
    const hint = this.hint;
    if (hint < this.rows && this.isEntry(hint, flow, id)) {
      this.hint = hint + 1;
      return hint;
    }
    for (let r = this.index.first(id ?? 0) - 1; r >= 0; r = (c.next[r] as number) - 1) {
      if (this.isEntry(r, flow, id)) {
        this.hint = r + 1;
        return r;
      }
    }
    return -1;
  }

  /** findRow for a plain entry (see setPlain). */
  private findPlainRow(p: PlainFlow): number {
    const hint = this.hint;
    if (hint < this.rows && this.isPlainEntry(hint, p)) {
      this.hint = hint + 1;
      return hint;
    }
    for (let r = this.index.first(p.id) - 1; r >= 0; r = (this.columns.next[r] as number) - 1) {
      if (this.isPlainEntry(r, p)) {
        this.hint = r + 1;
        return r;
      }
    }
    return -1;
  }

  private isPlainEntry(r: number, p: PlainFlow): boolean {
    const c = this.columns;
    if (c.id[r] !== p.id) return false;
    const flags = c.flags[r] as number;
    if (!(flags & HAS.ID) || c.protoNum[r] !== p.protoNum) return false;
    if (p.zone < 0 ? flags & HAS.ZONE : !(flags & HAS.ZONE) || c.zone[r] !== p.zone) return false;
    if (((flags >>> ORIG_SHIFT) & 0xff) !== PORTS) return false;
    const v4 = this.addresses.ipv4;
    return v4[c.origSrc[r] as number] === p.origSrc && v4[c.origDst[r] as number] === p.origDst && c.origSport[r] === p.origSport && c.origDport[r] === p.origDport;
  }

  /** write() for a plain entry; returns `row`. */
  private writePlain(row: number, p: PlainFlow, seenAt: number, eventless: boolean, existing: boolean): number {
    const c = this.columns;
    const pool = this.addresses;
    const v4 = pool.ipv4;
    if (!existing || v4[c.replySrc[row] as number] !== p.replySrc || v4[c.replyDst[row] as number] !== p.replyDst) {
      const os = pool.acquireIpv4(p.origSrc);
      const od = pool.acquireIpv4(p.origDst);
      const rs = pool.acquireIpv4(p.replySrc);
      const rd = pool.acquireIpv4(p.replyDst);
      if (existing) {
        pool.release(c.origSrc[row] as number);
        pool.release(c.origDst[row] as number);
        pool.release(c.replySrc[row] as number);
        pool.release(c.replyDst[row] as number);
      }
      c.origSrc[row] = os;
      c.origDst[row] = od;
      c.replySrc[row] = rs;
      c.replyDst[row] = rd;
    }
    let flags = PLAIN_FLAGS;
    if (eventless) flags |= HAS.EVENTLESS;
    c.seenAt[row] = seenAt;
    c.generation[row] = this.generation;
    c.protoNum[row] = p.protoNum;
    this.protoNames[p.protoNum] ??= protoName(p.protoNum);
    c.statusBits[row] = p.statusBits;
    if (!this.statuses.has(p.statusBits)) this.statusNames(p.statusBits);
    c.state[row] = p.state === undefined ? 0 : this.stateNumber(p.state);
    c.id[row] = p.id;
    c.timeout[row] = p.timeout;
    c.mark[row] = p.mark;
    c.use[row] = p.use;
    if (p.zone >= 0) {
      flags |= HAS.ZONE;
      c.zone[row] = p.zone;
    }
    c.origSport[row] = p.origSport;
    c.origDport[row] = p.origDport;
    c.replySport[row] = p.replySport;
    c.replyDport[row] = p.replyDport;
    if (existing) this.extras.delete(row);
    c.flags[row] = flags;
    return row;
  }

  private isEntry(r: number, flow: Flow, id: number | undefined): boolean {
    const c = this.columns;
    if (c.id[r] !== (id ?? 0)) return false;
    const flags = c.flags[r] as number;
    if (id === undefined ? flags & HAS.ID : !(flags & HAS.ID)) return false;
    if (c.protoNum[r] !== flow.protoNum) return false;
    if (flow.zone === undefined ? flags & HAS.ZONE : !(flags & HAS.ZONE) || c.zone[r] !== flow.zone) return false;
    const o = flow.orig;
    if (((flags >>> ORIG_SHIFT) & 0xff) !== tupleFlags(o)) return false;
    const a = this.addresses.strings;
    return (
      a[c.origSrc[r] as number] === o.src &&
      a[c.origDst[r] as number] === o.dst &&
      (o.sport === undefined || c.origSport[r] === o.sport) &&
      (o.dport === undefined || c.origDport[r] === o.dport) &&
      (o.icmpType === undefined || c.origIcmpType[r] === o.icmpType) &&
      (o.icmpCode === undefined || c.origIcmpCode[r] === o.icmpCode) &&
      (o.icmpId === undefined || c.origIcmpId[r] === o.icmpId) &&
      (o.zone === undefined || c.origZone[r] === o.zone)
    );
  }

  private write(row: number, flow: Flow, seenAt: number, eventless: boolean, existing: boolean): void {
    const c = this.columns;
    const { orig, reply } = flow;
    const pool = this.addresses;
    const a = pool.strings;
    // A stored entry keeps its original tuple (it is its identity) and nearly always its reply tuple:
    // then no address is looked up at all.
    if (!existing || a[c.replySrc[row] as number] !== reply.src || a[c.replyDst[row] as number] !== reply.dst) {
      // Acquired before the old ones are released, so an address the row keeps is never freed in between.
      const os = pool.acquire(orig.src);
      const od = pool.acquire(orig.dst);
      const rs = pool.acquire(reply.src);
      const rd = pool.acquire(reply.dst);
      if (existing) {
        pool.release(c.origSrc[row] as number);
        pool.release(c.origDst[row] as number);
        pool.release(c.replySrc[row] as number);
        pool.release(c.replyDst[row] as number);
      }
      c.origSrc[row] = os;
      c.origDst[row] = od;
      c.replySrc[row] = rs;
      c.replyDst[row] = rd;
    }
    let flags = (tupleFlags(orig) << ORIG_SHIFT) | (tupleFlags(reply) << REPLY_SHIFT);
    if (flow.family === 'ipv6') flags |= HAS.IPV6;
    if (eventless) flags |= HAS.EVENTLESS;
    c.seenAt[row] = seenAt;
    c.generation[row] = this.generation;
    c.protoNum[row] = flow.protoNum;
    this.protoNames[flow.protoNum] ??= flow.proto;
    c.statusBits[row] = flow.statusBits;
    if (!this.statuses.has(flow.statusBits) && this.statuses.size < 4_096) this.statuses.set(flow.statusBits, flow.status);
    c.state[row] = flow.state === undefined ? 0 : this.stateNumber(flow.state);
    if (flow.id !== undefined) {
      flags |= HAS.ID;
      c.id[row] = flow.id;
    } else c.id[row] = 0;
    if (flow.timeout !== undefined) {
      flags |= HAS.TIMEOUT;
      c.timeout[row] = flow.timeout;
    }
    if (flow.mark !== undefined) {
      flags |= HAS.MARK;
      c.mark[row] = flow.mark;
    }
    if (flow.use !== undefined) {
      flags |= HAS.USE;
      c.use[row] = flow.use;
    }
    if (flow.zone !== undefined) {
      flags |= HAS.ZONE;
      c.zone[row] = flow.zone;
    }
    writeTuple(c, row, orig, true);
    writeTuple(c, row, reply, false);
    if (flow.countersOrig || flow.countersReply) {
      const counters = (c.counters ??= new BigUint64Array(4 * c.capacity));
      if (flow.countersOrig) {
        flags |= HAS.COUNTERS_ORIG;
        counters[4 * row] = flow.countersOrig.packets;
        counters[4 * row + 1] = flow.countersOrig.bytes;
      }
      if (flow.countersReply) {
        flags |= HAS.COUNTERS_REPLY;
        counters[4 * row + 2] = flow.countersReply.packets;
        counters[4 * row + 3] = flow.countersReply.bytes;
      }
    }
    if (flow.timestampStart !== undefined || flow.timestampStop !== undefined) {
      const stamps = (c.timestamps ??= new BigUint64Array(2 * c.capacity));
      if (flow.timestampStart !== undefined) {
        flags |= HAS.TIMESTAMP_START;
        stamps[2 * row] = flow.timestampStart;
      }
      if (flow.timestampStop !== undefined) {
        flags |= HAS.TIMESTAMP_STOP;
        stamps[2 * row + 1] = flow.timestampStop;
      }
    }
    if (flow.labels !== undefined || flow.helper !== undefined || flow.secctx !== undefined) {
      flags |= HAS.EXTRA;
      const extra: RowExtra = {};
      if (flow.labels !== undefined) extra.labels = [...flow.labels];
      if (flow.helper !== undefined) extra.helper = flow.helper;
      if (flow.secctx !== undefined) extra.secctx = flow.secctx;
      this.extras.set(row, extra);
    } else if (existing) this.extras.delete(row);
    c.flags[row] = flags;
  }

  private stateNumber(state: string): number {
    let n = this.stateIndex.get(state);
    if (n === undefined) {
      // A few dozen names at most (TCP, SCTP, DCCP states); past 255 the last slot is reused.
      n = Math.min(this.states.length + 1, 255);
      this.states[n - 1] = state;
      this.stateIndex.set(state, n);
      this.ranks = new Uint8Array(0);
    }
    return n;
  }

  private removeWhere(test: (row: number) => boolean): number {
    let removed = 0;
    for (let row = this.rows - 1; row >= 0; row--) {
      if (!test(row)) continue;
      this.remove(row);
      removed++;
    }
    if (this.columns.capacity > MIN_CAPACITY && this.rows < this.columns.capacity / 4) this.resize(Math.max(MIN_CAPACITY, this.rows * 2));
    return removed;
  }

  /** Removes a row: out of its id chain, its addresses released; the last row takes its place. */
  private remove(row: number): void {
    const c = this.columns;
    if ((c.flags[row] as number) & HAS.EVENTLESS) this.eventlessRows--;
    this.index.unlink(row);
    const pool = this.addresses;
    pool.release(c.origSrc[row] as number);
    pool.release(c.origDst[row] as number);
    pool.release(c.replySrc[row] as number);
    pool.release(c.replyDst[row] as number);
    this.extras.delete(row);
    const last = --this.rows;
    if (last === row) return;
    this.index.unlink(last);
    c.move(last, row);
    const extra = this.extras.get(last);
    if (extra) {
      this.extras.delete(last);
      this.extras.set(row, extra);
    }
    this.index.link(row, this.rows);
  }

  private resize(capacity: number): void {
    this.columns.resize(capacity);
    this.index.fit(this.rows);
  }
}
