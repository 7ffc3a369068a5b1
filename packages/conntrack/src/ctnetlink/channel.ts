import { createRequire } from 'node:module';
import type { RawNetlinkSocket } from 'netlink';
import { buildMessage } from './encode';
import { u16le, u32le } from './bytes';
import { NETLINK_NETFILTER, NLMSG_DONE, NLMSG_ERROR, NLMSG_HDRLEN, NLM_F_ACK, NLM_F_REQUEST } from './constants';
import { DecodeError, NetlinkError, NetlinkUnavailableError } from './errors';

/** The kernel caps dump datagrams at 32 KiB; a larger buffer only costs allocation time on every receive. */
const MSG_BUFFER_SIZE = 32 * 1024;

/** Called for each body message of the pending request, with its netlink type and [start, end) after nlmsghdr. */
export type BodyVisitor = (buf: Buffer, type: number, start: number, end: number) => void;

interface Pending {
  seq: number;
  /** For a batch: how many consecutive sequence numbers from `seq`, and each one's errno once acknowledged. */
  count?: number;
  errnos?: number[];
  acked?: number;
  operation: string;
  onBody: BodyVisitor | undefined;
  resolve: () => void;
  reject: (err: Error) => void;
}

type RawModule = { RawNetlinkSocket: typeof RawNetlinkSocket };
let netlinkModule: RawModule | undefined;

/**
 * The `netlink` package's raw socket loads on first use: one-shot commands that dump through the addon
 * never pay for it. Only its raw layer: the package's index also builds its rtnetlink, nl80211,
 * WireGuard and generic netlink tables, ~17 ms of every start for nothing we use.
 */
function netlink(): RawModule {
  netlinkModule ??= createRequire(import.meta.url)('netlink/dist/raw.js') as RawModule;
  return netlinkModule;
}

export function openRawSocket(recvBufferSize: number): RawNetlinkSocket {
  try {
    return new (netlink().RawNetlinkSocket)(NETLINK_NETFILTER, { messagePeeking: false, msgBufferSize: MSG_BUFFER_SIZE, recvBufferSize, sendBufferSize: 1 << 20 });
  } catch (err) {
    throw new NetlinkUnavailableError(`cannot open a NETLINK_NETFILTER socket: ${(err as Error).message}`);
  }
}

/** Request/response over one netlink socket, one request at a time (dumps are long; others queue). */
export class NetlinkChannel {
  private readonly socket: RawNetlinkSocket;
  private seq = Math.floor(Math.random() * 0x7fffffff);
  private pending: Pending | null = null;
  private queue: Array<() => void> = [];
  private closed = false;

  constructor(recvBufferSize = 8 * 1024 * 1024) {
    this.socket = openRawSocket(recvBufferSize);
    this.socket.on('message', (buf) => this.onDatagram(buf));
    this.socket.on('truncatedMessage', () => this.failPending(new DecodeError('the kernel sent a datagram larger than the receive buffer', 0)));
    this.socket.on('error', (err) => this.failPending(new NetlinkError(err.errno, this.pending?.operation ?? 'netlink receive')));
    this.socket.unref();
  }

  /**
   * Sends one request and resolves when the kernel says it is complete: NLMSG_DONE for dumps, the ACK
   * for everything else. Body messages go to `onBody` as they arrive.
   */
  request(operation: string, type: number, flags: number, family: number, attrs?: Buffer, onBody?: BodyVisitor): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const start = () => {
        if (this.closed) return reject(new NetlinkUnavailableError('the netlink channel is closed'));
        const seq = (this.seq = (this.seq + 1) & 0x7fffffff);
        this.pending = { seq, operation, onBody, resolve, reject };
        this.socket.ref();
        this.socket.send(buildMessage(type, flags | NLM_F_REQUEST | NLM_F_ACK, seq, family, attrs), {}, (err) => {
          if (err) this.failPending(new NetlinkError(err.errno, operation));
        });
      };
      if (this.pending) this.queue.push(start);
      else start();
    });
  }

  /**
   * Several requests in one datagram (the kernel handles them in order and acknowledges each): one
   * round trip instead of one per request. Resolves with each request's errno (0 for success).
   */
  requestBatch(operation: string, requests: ReadonlyArray<{ type: number; flags: number; family: number; attrs?: Buffer }>): Promise<number[]> {
    const datagram = Buffer.concat(requests.map((r) => buildMessage(r.type, r.flags | NLM_F_REQUEST | NLM_F_ACK, 0, r.family, r.attrs)));
    return this.sendMessages(operation, datagram);
  }

  /**
   * Messages already encoded back to back (nlmsghdr included), sent as one datagram: each gets the
   * next sequence number and NLM_F_REQUEST | NLM_F_ACK, in place. Resolves with each one's errno.
   */
  sendMessages(operation: string, datagram: Buffer): Promise<number[]> {
    let count = 0;
    for (let off = 0; off + NLMSG_HDRLEN <= datagram.length; count++) {
      const len = u32le(datagram, off);
      if (len < NLMSG_HDRLEN) throw new DecodeError(`netlink message length ${len} is impossible`, off);
      off += (len + 3) & ~3;
    }
    return new Promise<number[]>((resolve, reject) => {
      const start = () => {
        if (this.closed) return reject(new NetlinkUnavailableError('the netlink channel is closed'));
        if (count === 0) return resolve([]);
        let seq = (this.seq + 1) & 0x7fffffff;
        if (seq + count > 0x7fffffff) seq = 1;
        this.seq = seq + count - 1;
        for (let off = 0, i = 0; i < count; i++) {
          datagram.writeUInt16LE(datagram.readUInt16LE(off + 6) | NLM_F_REQUEST | NLM_F_ACK, off + 6);
          datagram.writeUInt32LE(seq + i, off + 8);
          off += (u32le(datagram, off) + 3) & ~3;
        }
        const errnos = new Array<number>(count).fill(0);
        this.pending = { seq, count, errnos, acked: 0, operation, onBody: undefined, resolve: () => resolve(errnos), reject };
        this.socket.ref();
        this.socket.send(datagram, {}, (err) => {
          if (err) this.failPending(new NetlinkError(err.errno, operation));
        });
      };
      if (this.pending) this.queue.push(start);
      else start();
    });
  }

  close(): void {
    this.closed = true;
    this.failPending(new NetlinkUnavailableError('the netlink channel was closed'));
    for (const start of this.queue.splice(0)) start();
    this.socket.close();
  }

  // Hot path of every dump: a plain loop over the datagram, no per-message allocations.
  private onDatagram(buf: Buffer): void {
    const pending = this.pending;
    if (!pending) return;
    if (pending.count !== undefined) return this.onBatchDatagram(buf, pending);
    try {
      for (let off = 0; off + NLMSG_HDRLEN <= buf.length; ) {
        const len = u32le(buf, off);
        if (len < NLMSG_HDRLEN || off + len > buf.length) throw new DecodeError(`netlink message length ${len} is impossible`, off);
        if (u32le(buf, off + 8) === pending.seq) {
          const type = u16le(buf, off + 4);
          if (type === NLMSG_DONE) return this.finish(null);
          if (type === NLMSG_ERROR) {
            if (len < NLMSG_HDRLEN + 4) throw new DecodeError('truncated netlink error message', off);
            const errno = -(u32le(buf, off + NLMSG_HDRLEN) | 0);
            return this.finish(errno === 0 ? null : new NetlinkError(errno, pending.operation));
          }
          pending.onBody?.(buf, type, off + NLMSG_HDRLEN, off + len);
        }
        off += (len + 3) & ~3;
      }
    } catch (err) {
      this.finish(err as Error);
    }
  }

  /** Acknowledgements of a batch: each request's errno by its sequence number; done when all have answered. */
  private onBatchDatagram(buf: Buffer, pending: Pending): void {
    const { seq, count = 0, errnos = [] } = pending;
    try {
      for (let off = 0; off + NLMSG_HDRLEN <= buf.length; ) {
        const len = u32le(buf, off);
        if (len < NLMSG_HDRLEN || off + len > buf.length) throw new DecodeError(`netlink message length ${len} is impossible`, off);
        const msgSeq = u32le(buf, off + 8);
        if (msgSeq >= seq && msgSeq < seq + count && u16le(buf, off + 4) === NLMSG_ERROR) {
          if (len < NLMSG_HDRLEN + 4) throw new DecodeError('truncated netlink error message', off);
          errnos[msgSeq - seq] = -(u32le(buf, off + NLMSG_HDRLEN) | 0);
          pending.acked = (pending.acked ?? 0) + 1;
          if (pending.acked === count) return this.finish(null);
        }
        off += (len + 3) & ~3;
      }
    } catch (err) {
      this.finish(err as Error);
    }
  }

  private failPending(err: Error): void {
    if (this.pending) this.finish(err);
  }

  private finish(err: Error | null): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    this.socket.unref();
    if (err) pending.reject(err);
    else pending.resolve();
    this.queue.shift()?.();
  }
}
