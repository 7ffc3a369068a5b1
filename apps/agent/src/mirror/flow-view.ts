import { deriveNat, type Counters, type Family, type Flow, type L4ProtoName, type StatusFlag, type Tuple } from '@ctscope/conntrack';
import type { AddressPool } from './address-pool';
import { HAS, ORIG_SHIFT, REPLY_SHIFT, TUPLE, type Columns } from './columns';

/** What an entry rarely has, kept beside the columns. */
export interface RowExtra {
  labels?: number[];
  helper?: string;
  secctx?: string;
}

/** What a view reads besides the columns (FlowTable provides it). */
export interface RowStore {
  readonly columns: Columns;
  readonly addresses: AddressPool;
  stateName(index: number): string;
  protoName(protoNum: number): L4ProtoName;
  statusNames(bits: number): StatusFlag[];
  extra(row: number): RowExtra | undefined;
}

/** A view's getters as the plain optional fields of Flow and Tuple. */
type Readable<T> = { [K in keyof T]?: T[K] };

/** One tuple of the row a FlowView points at. */
class TupleView {
  constructor(
    private readonly owner: FlowView,
    private readonly orig: boolean,
  ) {}
  private get has(): number {
    return ((this.owner.store.columns.flags[this.owner.row] as number) >>> (this.orig ? ORIG_SHIFT : REPLY_SHIFT)) & 0xff;
  }
  get src(): string {
    const c = this.owner.store.columns;
    return this.owner.store.addresses.strings[(this.orig ? c.origSrc : c.replySrc)[this.owner.row] as number] as string;
  }
  get dst(): string {
    const c = this.owner.store.columns;
    return this.owner.store.addresses.strings[(this.orig ? c.origDst : c.replyDst)[this.owner.row] as number] as string;
  }
  get protoNum(): number {
    return this.owner.store.columns.protoNum[this.owner.row] as number;
  }
  get sport(): number | undefined {
    const c = this.owner.store.columns;
    return this.has & TUPLE.SPORT ? (this.orig ? c.origSport : c.replySport)[this.owner.row] : undefined;
  }
  get dport(): number | undefined {
    const c = this.owner.store.columns;
    return this.has & TUPLE.DPORT ? (this.orig ? c.origDport : c.replyDport)[this.owner.row] : undefined;
  }
  get icmpType(): number | undefined {
    const c = this.owner.store.columns;
    return this.has & TUPLE.ICMP_TYPE ? (this.orig ? c.origIcmpType : c.replyIcmpType)[this.owner.row] : undefined;
  }
  get icmpCode(): number | undefined {
    const c = this.owner.store.columns;
    return this.has & TUPLE.ICMP_CODE ? (this.orig ? c.origIcmpCode : c.replyIcmpCode)[this.owner.row] : undefined;
  }
  get icmpId(): number | undefined {
    const c = this.owner.store.columns;
    return this.has & TUPLE.ICMP_ID ? (this.orig ? c.origIcmpId : c.replyIcmpId)[this.owner.row] : undefined;
  }
  get zone(): number | undefined {
    const c = this.owner.store.columns;
    return this.has & TUPLE.ZONE ? (this.orig ? c.origZone : c.replyZone)[this.owner.row] : undefined;
  }
}

/**
 * A Flow read straight from the columns of one row (`row`, moved with `at`): filters and the free-text
 * matcher run on it unchanged, reading only the fields they need, with nothing allocated per entry.
 * Valid until the table next changes; keep nothing from it (materialize a Flow with `flowAt` instead).
 */
export class FlowView {
  row = 0;
  readonly orig: Tuple = new TupleView(this, true) as Readable<TupleView> as Tuple;
  readonly reply: Tuple = new TupleView(this, false) as Readable<TupleView> as Tuple;
  constructor(readonly store: RowStore) {}

  /**
   * Points the view at `row` and returns it as a Flow. Its optional fields read `undefined` when absent
   * (they are getters, present on every view), which is what every reader of a Flow tests for.
   */
  at(row: number): Flow {
    this.row = row;
    return this as Readable<FlowView> as Flow;
  }
  private get flags(): number {
    return this.store.columns.flags[this.row] as number;
  }
  get family(): Family {
    return this.flags & HAS.IPV6 ? 'ipv6' : 'ipv4';
  }
  get protoNum(): number {
    return this.store.columns.protoNum[this.row] as number;
  }
  get proto(): L4ProtoName {
    return this.store.protoName(this.protoNum);
  }
  get statusBits(): number {
    return this.store.columns.statusBits[this.row] as number;
  }
  get status(): StatusFlag[] {
    return this.store.statusNames(this.statusBits);
  }
  get state(): string | undefined {
    const index = this.store.columns.state[this.row] as number;
    return index === 0 ? undefined : this.store.stateName(index);
  }
  get timeout(): number | undefined {
    return this.flags & HAS.TIMEOUT ? this.store.columns.timeout[this.row] : undefined;
  }
  get mark(): number | undefined {
    return this.flags & HAS.MARK ? this.store.columns.mark[this.row] : undefined;
  }
  get use(): number | undefined {
    return this.flags & HAS.USE ? this.store.columns.use[this.row] : undefined;
  }
  get id(): number | undefined {
    return this.flags & HAS.ID ? this.store.columns.id[this.row] : undefined;
  }
  get zone(): number | undefined {
    return this.flags & HAS.ZONE ? this.store.columns.zone[this.row] : undefined;
  }
  get helper(): string | undefined {
    return this.flags & HAS.EXTRA ? this.store.extra(this.row)?.helper : undefined;
  }
  get secctx(): string | undefined {
    return this.flags & HAS.EXTRA ? this.store.extra(this.row)?.secctx : undefined;
  }
  get labels(): number[] | undefined {
    return this.flags & HAS.EXTRA ? this.store.extra(this.row)?.labels : undefined;
  }
  get countersOrig(): Counters | undefined {
    return this.counters(HAS.COUNTERS_ORIG, 0);
  }
  get countersReply(): Counters | undefined {
    return this.counters(HAS.COUNTERS_REPLY, 2);
  }
  get timestampStart(): bigint | undefined {
    const t = this.store.columns.timestamps;
    return t && this.flags & HAS.TIMESTAMP_START ? t[2 * this.row] : undefined;
  }
  get timestampStop(): bigint | undefined {
    const t = this.store.columns.timestamps;
    return t && this.flags & HAS.TIMESTAMP_STOP ? t[2 * this.row + 1] : undefined;
  }
  get nat(): Flow['nat'] {
    return deriveNat(this.orig, this.reply);
  }
  private counters(flag: number, at: number): Counters | undefined {
    const c = this.store.columns.counters;
    if (!c || !(this.flags & flag)) return undefined;
    return { packets: c[4 * this.row + at] as bigint, bytes: c[4 * this.row + at + 1] as bigint };
  }
}

function tupleOf(view: Tuple): Tuple {
  const t: Tuple = { src: view.src, dst: view.dst, protoNum: view.protoNum };
  const { sport, dport, icmpType, icmpCode, icmpId, zone } = view;
  if (sport !== undefined) t.sport = sport;
  if (dport !== undefined) t.dport = dport;
  if (icmpType !== undefined) t.icmpType = icmpType;
  if (icmpCode !== undefined) t.icmpCode = icmpCode;
  if (icmpId !== undefined) t.icmpId = icmpId;
  if (zone !== undefined) t.zone = zone;
  return t;
}

/** The row as a plain Flow of its own, as the source reported it (NAT derived from the tuples, as every source does). */
export function materialize(view: Flow): Flow {
  const flow: Flow = { family: view.family, proto: view.proto, protoNum: view.protoNum, orig: tupleOf(view.orig), reply: tupleOf(view.reply), status: view.status, statusBits: view.statusBits };
  const { state, timeout, mark, use, id, zone, secctx, helper, labels, countersOrig, countersReply, timestampStart, timestampStop } = view;
  if (state !== undefined) flow.state = state;
  if (timeout !== undefined) flow.timeout = timeout;
  if (mark !== undefined) flow.mark = mark;
  if (use !== undefined) flow.use = use;
  if (id !== undefined) flow.id = id;
  if (zone !== undefined) flow.zone = zone;
  if (secctx !== undefined) flow.secctx = secctx;
  if (helper !== undefined) flow.helper = helper;
  if (labels !== undefined) flow.labels = [...labels];
  if (countersOrig) flow.countersOrig = countersOrig;
  if (countersReply) flow.countersReply = countersReply;
  if (timestampStart !== undefined) flow.timestampStart = timestampStart;
  if (timestampStop !== undefined) flow.timestampStop = timestampStop;
  const nat = deriveNat(flow.orig, flow.reply);
  if (nat) flow.nat = nat;
  return flow;
}
