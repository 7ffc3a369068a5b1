import type { Flow, StatusFlag, Tuple } from '@ctscope/conntrack';

/** One mirrored entry: the flow and when the kernel last told us about it. */
export interface MirrorEntry {
  readonly flow: Flow;
  /** Agent clock (ms) when the flow was dumped or its last event arrived; `flow.timeout` counts from here. */
  readonly seenAt: number;
}

type Slot = MirrorEntry | MirrorEntry[];

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

/**
 * The mirrored table, indexed by kernel id, kept compact: entries sharing an id (rare) share a slot, and
 * address strings and status arrays repeated across entries are stored once.
 */
export class FlowTable {
  private readonly byId = new Map<number, Slot>();
  private count = 0;
  private readonly addresses = new Map<string, string>();
  private readonly statuses = new Map<number, StatusFlag[]>();

  get size(): number {
    return this.count;
  }

  *values(): IterableIterator<MirrorEntry> {
    for (const slot of this.byId.values()) {
      if (Array.isArray(slot)) yield* slot;
      else yield slot;
    }
  }

  /** The live entry for this flow's identity, if any. */
  find(flow: Flow): MirrorEntry | undefined {
    const slot = this.byId.get(flow.id ?? 0);
    if (slot === undefined) return undefined;
    if (!Array.isArray(slot)) return sameEntry(slot.flow, flow) ? slot : undefined;
    return slot.find((e) => sameEntry(e.flow, flow));
  }

  /** Entries with this kernel id (usually one). */
  withId(id: number): readonly MirrorEntry[] {
    const slot = this.byId.get(id);
    return slot === undefined ? [] : Array.isArray(slot) ? slot : [slot];
  }

  set(flow: Flow, seenAt: number): MirrorEntry {
    const entry: MirrorEntry = { flow: this.compact(flow), seenAt };
    const id = flow.id ?? 0;
    const slot = this.byId.get(id);
    if (slot === undefined) {
      this.byId.set(id, entry);
      this.count++;
    } else if (!Array.isArray(slot)) {
      if (sameEntry(slot.flow, flow)) this.byId.set(id, entry);
      else {
        this.byId.set(id, [slot, entry]);
        this.count++;
      }
    } else {
      const i = slot.findIndex((e) => sameEntry(e.flow, flow));
      if (i >= 0) slot[i] = entry;
      else {
        slot.push(entry);
        this.count++;
      }
    }
    return entry;
  }

  delete(flow: Flow): boolean {
    const id = flow.id ?? 0;
    const slot = this.byId.get(id);
    if (slot === undefined) return false;
    if (!Array.isArray(slot)) {
      if (!sameEntry(slot.flow, flow)) return false;
      this.byId.delete(id);
    } else {
      const i = slot.findIndex((e) => sameEntry(e.flow, flow));
      if (i < 0) return false;
      slot.splice(i, 1);
      if (slot.length === 1) this.byId.set(id, slot[0] as MirrorEntry);
    }
    this.count--;
    return true;
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
