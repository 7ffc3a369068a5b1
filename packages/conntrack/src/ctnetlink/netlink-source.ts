import type { Expectation } from '../expectation';
import type { CpuStats, Flow } from '../flow';
import type { ConntrackSource, GlobalStats, KernelDumpFilter, SubscribeHandlers, SubscribeOptions, Subscription, TableName } from '../source';
import { NetlinkChannel } from './channel';
import {
  CTA,
  IPCTNL_MSG_CT_DELETE,
  IPCTNL_MSG_CT_GET,
  IPCTNL_MSG_CT_GET_DYING,
  IPCTNL_MSG_CT_GET_STATS,
  IPCTNL_MSG_CT_GET_STATS_CPU,
  IPCTNL_MSG_CT_GET_UNCONFIRMED,
  IPCTNL_MSG_CT_NEW,
  IPCTNL_MSG_EXP_GET,
  IPCTNL_MSG_EXP_NEW,
  NFNL_SUBSYS_CTNETLINK,
  NFNL_SUBSYS_CTNETLINK_EXP,
  NLM_F_ACK,
  NLM_F_CREATE,
  NLM_F_DUMP,
  NLM_F_EXCL,
  NLM_F_REQUEST,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_HDRLEN,
} from './constants';
import { decodeExpectation } from './decode-expect';
import { decodeFlow } from './decode-flow';
import { decodeCpuStats, decodeGlobalStats, isFlowMessage } from './decode-message';
import { AttrWriter, buildMessage, familyNumber, identityAttrs, writeTuple } from './encode';
import { u16le, u32le } from './bytes';
import { tryNfEvents } from './native';
import { DecodeError, NetlinkError, NetlinkUnavailableError } from './errors';
import { subscribeEvents } from './subscription';

const ct = (msg: number) => (NFNL_SUBSYS_CTNETLINK << 8) | msg;
const EXP_GET = (NFNL_SUBSYS_CTNETLINK_EXP << 8) | IPCTNL_MSG_EXP_GET;
/** Expectations arrive as EXP_NEW messages, in dumps as in events. */
const EXP_NEW = (NFNL_SUBSYS_CTNETLINK_EXP << 8) | IPCTNL_MSG_EXP_NEW;

const TABLE_MESSAGES: Readonly<Record<TableName, number>> = {
  conntrack: IPCTNL_MSG_CT_GET,
  dying: IPCTNL_MSG_CT_GET_DYING,
  unconfirmed: IPCTNL_MSG_CT_GET_UNCONFIRMED,
};

/** What `create` accepts: both tuples and the optional attributes tools set on a new entry. */
export interface NewFlow {
  family: Flow['family'];
  orig: Flow['orig'];
  reply: Flow['reply'];
  timeout: number;
  statusBits?: number;
  mark?: number;
  zone?: number;
}

function kernelFilterAttrs(filter: KernelDumpFilter | undefined): Buffer | undefined {
  if (!filter) return undefined;
  const w = new AttrWriter();
  let any = false;
  if (filter.mark) {
    w.u32(CTA.MARK, filter.mark.value).u32(CTA.MARK_MASK, filter.mark.mask);
    any = true;
  }
  if (filter.status) {
    w.u32(CTA.STATUS, filter.status.value).u32(CTA.STATUS_MASK, filter.status.mask);
    any = true;
  }
  if (filter.zone !== undefined) {
    w.u16(CTA.ZONE, filter.zone);
    any = true;
  }
  return any ? w.toBuffer() : undefined;
}

/**
 * Whether `flow` passes a dump's filter. The kernel applies mark/status/zone itself on recent kernels;
 * re-checked so older kernels agree.
 */
function matchesDumpFilter(filter: KernelDumpFilter | undefined, f: Flow): boolean {
  return (
    !filter ||
    ((filter.family === undefined || f.family === filter.family) &&
      (!filter.mark || ((f.mark ?? 0) & filter.mark.mask) === filter.mark.value) &&
      (!filter.status || (f.statusBits & filter.status.mask) === filter.status.value) &&
      (filter.zone === undefined || (f.zone ?? 0) === filter.zone))
  );
}

/** The kernel table over ctnetlink: dumps, events, statistics and changes, without the CLI. */
export class NetlinkSource implements ConntrackSource {
  readonly kind = 'netlink' as const;
  private channelInstance: NetlinkChannel | undefined;
  private closed = false;
  private readonly subscriptions = new Set<Subscription>();

  async dump(filter?: KernelDumpFilter, table: TableName = 'conntrack'): Promise<Flow[]> {
    return this.dumpMatching(filter, () => true, table);
  }

  /**
   * The entries that pass `filter` and `keep`, collected while the table streams by: a delete or an
   * update of a few entries on a host of millions holds a few Flow objects, not the table.
   */
  async dumpMatching(filter: KernelDumpFilter | undefined, keep: (flow: Flow) => boolean, table: TableName = 'conntrack'): Promise<Flow[]> {
    const flows: Flow[] = [];
    await this.stream(filter, table, (flow) => {
      if (matchesDumpFilter(filter, flow) && keep(flow)) flows.push(flow);
    });
    return flows;
  }

  /**
   * Decodes a dump entry by entry without keeping them: `onFlow` sees each one as it arrives, so a
   * consumer that prints or aggregates never holds the whole table. Returns how many were seen.
   */
  stream(filter: KernelDumpFilter | undefined, table: TableName, onFlow: (flow: Flow) => void): Promise<number> {
    return this.streamMessages(filter, table, (buf, start, end) => onFlow(decodeFlow(buf, start, end)));
  }

  /**
   * The dump's conntrack messages undecoded: `onMessage` gets each body ([start, end) after nlmsghdr,
   * valid only during the call) for consumers that read the bytes themselves (writeMessageLine).
   * `readAhead`: 32 KiB chunks the addon's thread may receive ahead of this one (see dumpInto).
   */
  async streamMessages(filter: KernelDumpFilter | undefined, table: TableName, onMessage: (buf: Uint8Array, start: number, end: number) => void, readAhead?: number): Promise<number> {
    if (!Object.hasOwn(TABLE_MESSAGES, table)) throw new TypeError(`unknown table "${String(table)}": use conntrack, dying or unconfirmed`);
    let seen = 0;
    const type = ct(TABLE_MESSAGES[table]);
    const family = familyNumber(filter?.family);
    const attrs = table === 'conntrack' ? kernelFilterAttrs(filter) : undefined;
    const visit = (buf: Uint8Array, msgType: number, start: number, end: number) => {
      if (!isFlowMessage(msgType)) return;
      seen++;
      onMessage(buf, start, end);
    };
    await this.dumpRequest(`dump of the ${table} table`, type, family, attrs, visit, readAhead);
    return seen;
  }

  /** The expectation table (like `conntrack -L expect`), one family or both. */
  async dumpExpectations(family?: Flow['family']): Promise<Expectation[]> {
    const expectations: Expectation[] = [];
    await this.dumpRequest('dump of the expectation table', EXP_GET, familyNumber(family), undefined, (buf, type, start, end) => {
      if (type === EXP_NEW) expectations.push(decodeExpectation(buf, start, end));
    });
    return expectations;
  }

  /** A dump request, received on the addon's thread when it is built, else over the request socket. */
  private async dumpRequest(operation: string, type: number, family: number, attrs: Buffer | undefined, visit: (buf: Uint8Array, type: number, start: number, end: number) => void, readAhead?: number): Promise<void> {
    const native = tryNfEvents();
    if (typeof native?.dumpInto === 'function') await threadedDump(native, operation, buildMessage(type, NLM_F_REQUEST | NLM_F_DUMP, 1, family, attrs), visit, readAhead);
    else await this.channel.request(operation, type, NLM_F_DUMP, family, attrs, visit);
  }

  /** Raw dump with no decoding (for benchmarks), over the same transport as dump(): message count and bytes. */
  async rawDump(): Promise<{ messages: number; bytes: number }> {
    let messages = 0;
    let bytes = 0;
    await this.streamMessages(undefined, 'conntrack', (_buf, start, end) => {
      messages++;
      bytes += end - start;
    });
    return { messages, bytes };
  }

  async globalStats(): Promise<GlobalStats> {
    return this.requestGlobalStats(false);
  }

  /**
   * Global statistics, through the addon when `viaAddon` and it is built (a one-shot command that then
   * dumps through the addon too never loads the `netlink` package).
   */
  async requestGlobalStats(viaAddon: boolean): Promise<GlobalStats> {
    let stats: GlobalStats | undefined;
    const visit = (buf: Uint8Array, _type: number, start: number, end: number) => {
      stats = decodeGlobalStats(buf, start, end);
    };
    const native = viaAddon ? tryNfEvents() : null;
    const type = ct(IPCTNL_MSG_CT_GET_STATS);
    if (typeof native?.dumpInto === 'function') await threadedDump(native, 'global statistics', buildMessage(type, NLM_F_REQUEST | NLM_F_ACK, 1, 0), visit);
    else await this.channel.request('global statistics', type, 0, 0, undefined, visit);
    if (!stats) throw new NetlinkError(61, 'global statistics');
    return stats;
  }

  async count(): Promise<number> {
    return (await this.globalStats()).entries;
  }

  async cpuStats(): Promise<CpuStats[]> {
    const rows: CpuStats[] = [];
    await this.channel.request('per-CPU statistics', ct(IPCTNL_MSG_CT_GET_STATS_CPU), NLM_F_DUMP, 0, undefined, (buf, _type, start, end) => {
      rows.push(decodeCpuStats(buf, start, end));
    });
    return rows.sort((a, b) => a.cpu - b.cpu);
  }

  subscribe(options: SubscribeOptions, handlers: SubscribeHandlers): Subscription {
    const inner = subscribeEvents(options, handlers);
    const subscription = {
      close: () => {
        inner.close();
        this.subscriptions.delete(subscription);
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** Deletes one entry by original tuple, zone and id; false when it was already gone. */
  async deleteFlow(flow: Pick<Flow, 'family' | 'orig' | 'id' | 'zone'>): Promise<boolean> {
    try {
      await this.channel.request('delete', ct(IPCTNL_MSG_CT_DELETE), 0, familyNumber(flow.family), identityAttrs(flow));
      return true;
    } catch (err) {
      if (err instanceof NetlinkError && err.code === 'ENOENT') return false;
      throw err;
    }
  }

  /** The entry with this identity as the kernel holds it now (like `conntrack -G`): fresh counters and timeout; null when gone. */
  async getFlow(flow: Pick<Flow, 'family' | 'orig' | 'id' | 'zone'>): Promise<Flow | null> {
    let found: Flow | null = null;
    try {
      await this.channel.request('get', ct(IPCTNL_MSG_CT_GET), 0, familyNumber(flow.family), identityAttrs(flow), (buf, type, start, end) => {
        if (isFlowMessage(type)) found = decodeFlow(buf, start, end);
      });
    } catch (err) {
      if (err instanceof NetlinkError && err.code === 'ENOENT') return null;
      throw err;
    }
    return found;
  }

  async deleteFlows(flows: readonly Flow[]): Promise<number> {
    let deleted = 0;
    for (const flow of flows) if (await this.deleteFlow(flow)) deleted++;
    return deleted;
  }

  /** Empties the table (one family, or both). */
  async flush(family?: Flow['family']): Promise<void> {
    await this.channel.request('flush', ct(IPCTNL_MSG_CT_DELETE), 0, familyNumber(family));
  }

  /** Inserts an entry (like conntrack -I); fails with EEXIST when it exists. */
  async create(flow: NewFlow): Promise<void> {
    await this.channel.request('create', ct(IPCTNL_MSG_CT_NEW), NLM_F_CREATE | NLM_F_EXCL, familyNumber(flow.family), this.flowAttrs(flow));
  }

  /** Changes an existing entry's timeout, mark or status (like conntrack -U). */
  async update(flow: Pick<Flow, 'family' | 'orig' | 'id' | 'zone'> & { timeout?: number; mark?: number; statusBits?: number }): Promise<void> {
    const w = new AttrWriter();
    writeTuple(w, CTA.TUPLE_ORIG, flow.orig, flow.family);
    if (flow.zone !== undefined) w.u16(CTA.ZONE, flow.zone);
    if (flow.id !== undefined) w.u32(CTA.ID, flow.id);
    if (flow.timeout !== undefined) w.u32(CTA.TIMEOUT, flow.timeout);
    if (flow.mark !== undefined) w.u32(CTA.MARK, flow.mark);
    if (flow.statusBits !== undefined) w.u32(CTA.STATUS, flow.statusBits);
    await this.channel.request('update', ct(IPCTNL_MSG_CT_NEW), 0, familyNumber(flow.family), w.toBuffer());
  }

  /**
   * One ctnetlink request with attributes built by the caller (conntrack's -I, -U, -G): resolves when
   * the kernel acknowledges it; entries it answers with are decoded for `onFlow`.
   */
  async ctRequest(operation: string, msg: number, flags: number, family: Flow['family'] | undefined, attrs: Buffer, onFlow?: (flow: Flow) => void): Promise<void> {
    const visit = onFlow ? (buf: Buffer, type: number, start: number, end: number) => (isFlowMessage(type) ? onFlow(decodeFlow(buf, start, end)) : undefined) : undefined;
    await this.channel.request(operation, ct(msg), flags, familyNumber(family), attrs, visit);
  }

  /** Many ctnetlink requests in one round trip (a batch of creates): each one's errno, 0 for success. */
  ctBatch(operation: string, requests: ReadonlyArray<{ msg: number; flags: number; family: Flow['family'] | undefined; attrs: Buffer }>): Promise<number[]> {
    return this.channel.requestBatch(
      operation,
      requests.map((r) => ({ type: ct(r.msg), flags: r.flags, family: familyNumber(r.family), attrs: r.attrs })),
    );
  }

  /**
   * ctnetlink messages encoded back to back by the caller (a batch of creates), in one round trip:
   * sent on the addon's thread when it is built, else over the request socket (every message
   * acknowledged). Resolves with each message's errno, 0 for success. Through the addon only the last
   * message asks for an acknowledgement: the kernel answers every failure anyway (netlink_rcv_skb), and
   * handles a datagram's messages in order within the send, so the last one's answer follows them all;
   * ten thousand success acks cost the kernel and us more than the creates' own parsing.
   */
  ctSendMessages(operation: string, datagram: Buffer): Promise<number[]> {
    const native = tryNfEvents();
    if (typeof native?.dumpInto !== 'function' || typeof native.numberMessages !== 'function') return this.channel.sendMessages(operation, datagram);
    const count = native.numberMessages(datagram);
    if (count < 0) throw new DecodeError(`netlink message length ${u32le(datagram, -1 - count)} is impossible`, -1 - count);
    const errnos = new Array<number>(count).fill(0);
    if (count === 0) return Promise.resolve(errnos);
    let last = false;
    const target = batchBuffer ?? Buffer.allocUnsafeSlow(BATCH_BYTES);
    batchBuffer = undefined;
    return new Promise((resolve, reject) => {
      // The addon receives until the acknowledgement of the last message (sequence number `count`).
      native.dumpInto(datagram, count, target, (buf, length, finished, errno) => {
        for (let off = 0; off + NLMSG_HDRLEN <= length; ) {
          const len = u32le(buf, off);
          if (len < NLMSG_HDRLEN || off + len > length) break;
          const seq = u32le(buf, off + 8);
          if (u16le(buf, off + 4) === NLMSG_ERROR && seq >= 1 && seq <= count && len >= NLMSG_HDRLEN + 4) {
            errnos[seq - 1] = -(u32le(buf, off + NLMSG_HDRLEN) | 0);
            if (seq === count) last = true;
          }
          off += (len + 3) & ~3;
        }
        if (!finished) return;
        batchBuffer = target;
        if (!last) reject(new NetlinkError(errno || 105, operation));
        else resolve(errnos);
      });
    });
  }

  close(): void {
    for (const s of [...this.subscriptions]) s.close();
    this.closed = true;
    this.channelInstance?.close();
  }

  /** The request socket, opened on first use (a dump through the addon needs none). */
  private get channel(): NetlinkChannel {
    if (this.closed) throw new NetlinkUnavailableError('the netlink channel is closed');
    this.channelInstance ??= new NetlinkChannel();
    return this.channelInstance;
  }

  private flowAttrs(flow: NewFlow): Buffer {
    const w = new AttrWriter();
    writeTuple(w, CTA.TUPLE_ORIG, flow.orig, flow.family);
    writeTuple(w, CTA.TUPLE_REPLY, flow.reply, flow.family);
    w.u32(CTA.TIMEOUT, flow.timeout);
    if (flow.statusBits !== undefined) w.u32(CTA.STATUS, flow.statusBits);
    if (flow.mark !== undefined) w.u32(CTA.MARK, flow.mark);
    if (flow.zone !== undefined) w.u16(CTA.ZONE, flow.zone);
    return w.toBuffer();
  }
}

/** Batches from the addon land here: a few hundred kernel datagrams at a time, one buffer reused. */
const BATCH_BYTES = 2 * 1024 * 1024;
let batchBuffer: Buffer | undefined;

/**
 * A dump received on the addon's worker thread while this thread decodes: the kernel's time (spent
 * building chunks inside recvmsg) and ours overlap instead of adding up.
 */
function threadedDump(
  native: NonNullable<ReturnType<typeof tryNfEvents>>,
  operation: string,
  request: Buffer,
  visit: (buf: Uint8Array, type: number, start: number, end: number) => void,
  readAhead?: number,
): Promise<void> {
  // One dump at a time owns the shared batch buffer; a concurrent one gets its own.
  const target = batchBuffer ?? Buffer.allocUnsafeSlow(BATCH_BYTES);
  batchBuffer = undefined;
  return new Promise((resolve, reject) => {
    let failure: Error | null = null;
    native.dumpInto(request, 1, target, (buf, length, finished, errno) => {
      try {
        if (!failure) {
          // Each datagram ends on an aligned message boundary, so a batch of them parses as one stream.
          for (let off = 0; off + NLMSG_HDRLEN <= length; ) {
            const len = u32le(buf, off);
            if (len < NLMSG_HDRLEN || off + len > length) throw new DecodeError(`netlink message length ${len} is impossible`, off);
            const type = u16le(buf, off + 4);
            if (type === NLMSG_DONE) break;
            if (type === NLMSG_ERROR) {
              const code = len >= NLMSG_HDRLEN + 4 ? -(u32le(buf, off + NLMSG_HDRLEN) | 0) : 0;
              if (code !== 0) throw new NetlinkError(code, operation);
              break;
            }
            visit(buf, type, off + NLMSG_HDRLEN, off + len);
            off += (len + 3) & ~3;
          }
        }
      } catch (err) {
        failure ??= err as Error;
      }
      if (!finished) return;
      batchBuffer = target;
      if (!failure && errno !== 0) failure = new NetlinkError(errno, operation);
      if (failure) reject(failure);
      else resolve();
    }, readAhead);
  });
}

/** Opens ctnetlink and proves it answers (a global stats request); throws when it cannot be used. */
export async function openNetlinkSource(): Promise<NetlinkSource> {
  const source = new NetlinkSource();
  try {
    await source.requestGlobalStats(true);
    return source;
  } catch (err) {
    source.close();
    throw err;
  }
}

