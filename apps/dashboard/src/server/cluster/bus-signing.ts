import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Signed envelopes for messages between dashboard servers over Redis. Anyone who can publish to Redis
 * could otherwise make a server broadcast to its agent sockets (a rule apply, a flush) or rewrite which
 * server holds which agent. Each message is wrapped as
 *
 *   magic "CTS1" | sent at (ms, 8 bytes) | sender id (8 bytes) | counter (6 bytes) | HMAC-SHA256 (32) | payload
 *
 * with the HMAC keyed by CTSCOPE_CLUSTER_SECRET over everything but itself, plus the channel (so a
 * message cannot be moved to another channel). A receiver drops unsigned and badly signed messages,
 * messages sent more than MAX_SKEW_MS from its own clock, and replays: a sender's counter must grow
 * (Redis delivers one connection's messages in order).
 */
const MAGIC = Buffer.from('CTS1');
const HEADER = MAGIC.length + 8 + 8 + 6;
const MAC = 32;
export const MAX_SKEW_MS = 30_000;

export interface BusDrops {
  /** Not an envelope at all (published by something that does not know the secret). */
  unsigned: number;
  /** An envelope whose HMAC does not match. */
  forged: number;
  /** Signed, but sent too long ago or too far in the future. */
  stale: number;
  /** Signed and fresh, but seen already. */
  replayed: number;
}

export class BusSigner {
  readonly dropped: BusDrops = { unsigned: 0, forged: 0, stale: 0, replayed: 0 };
  private readonly sender = randomBytes(8);
  private counter = 0;
  /** Highest counter seen per sender, and when; senders silent past the skew window are forgotten. */
  private readonly senders = new Map<string, { counter: number; heard: number }>();

  constructor(
    private readonly secret: string,
    private readonly now: () => number = Date.now,
  ) {}

  seal(channel: string | Buffer, payload: string | Buffer): Buffer {
    const header = Buffer.alloc(HEADER);
    MAGIC.copy(header, 0);
    header.writeDoubleBE(this.now(), 4);
    this.sender.copy(header, 12);
    header.writeUIntBE(++this.counter, 20, 6);
    const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
    return Buffer.concat([header, this.mac(header, channel, body), body]);
  }

  /** The payload of a valid message, or undefined (counted in `dropped`). */
  open(channel: string | Buffer, message: Buffer): Buffer | undefined {
    if (message.length < HEADER + MAC || !message.subarray(0, MAGIC.length).equals(MAGIC)) return void this.dropped.unsigned++;
    const header = message.subarray(0, HEADER);
    const body = message.subarray(HEADER + MAC);
    if (!timingSafeEqual(message.subarray(HEADER, HEADER + MAC), this.mac(header, channel, body))) return void this.dropped.forged++;
    const now = this.now();
    if (Math.abs(now - header.readDoubleBE(4)) > MAX_SKEW_MS) return void this.dropped.stale++;
    const sender = header.subarray(12, 20).toString('hex');
    const counter = header.readUIntBE(20, 6);
    const seen = this.senders.get(sender);
    if (seen && counter <= seen.counter) return void this.dropped.replayed++;
    this.senders.set(sender, { counter, heard: now });
    if (this.senders.size > 64) this.forgetSilent(now);
    return body;
  }

  private mac(header: Buffer, channel: string | Buffer, body: Buffer): Buffer {
    const name = Buffer.isBuffer(channel) ? channel : Buffer.from(channel);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(name.length);
    return createHmac('sha256', this.secret).update(header).update(length).update(name).update(body).digest();
  }

  /** A sender silent for longer than the skew window can only replay stale messages: forget it. */
  private forgetSilent(now: number): void {
    for (const [sender, { heard }] of this.senders) if (now - heard > 2 * MAX_SKEW_MS) this.senders.delete(sender);
  }
}

export interface PubClient {
  publish(channel: string | Buffer, message: string | Buffer): Promise<number>;
}
export interface SubClient {
  emit(event: string | symbol, ...args: unknown[]): boolean;
}

/**
 * Makes every message the adapter publishes through `pub` signed, and every message `sub` delivers
 * checked: invalid ones never reach a listener. The adapter listens to the Buffer events only; the
 * string copies ioredis also emits are dropped so nothing can read an unchecked message.
 */
export function signRedisClients(pub: PubClient, sub: SubClient, signer: BusSigner, onDrop: () => void): void {
  const publish = pub.publish.bind(pub);
  pub.publish = (channel, message) => publish(channel, signer.seal(channel, message));
  const emit = sub.emit.bind(sub);
  sub.emit = (event, ...args) => {
    if (event === 'message' || event === 'pmessage' || event === 'smessage') return false;
    if (event === 'messageBuffer' || event === 'pmessageBuffer' || event === 'smessageBuffer') {
      const channel = args.at(-2);
      const message = args.at(-1);
      const opened = Buffer.isBuffer(message) && (Buffer.isBuffer(channel) || typeof channel === 'string') ? signer.open(channel, message) : void signer.dropped.unsigned++;
      if (!opened) {
        onDrop();
        return false;
      }
      return emit(event, ...args.slice(0, -1), opened);
    }
    return emit(event, ...args);
  };
}
