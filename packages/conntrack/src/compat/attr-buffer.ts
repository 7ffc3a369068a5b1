import { NLA_F_NESTED } from '../ctnetlink/constants';

/**
 * Netlink attributes written into one reused buffer (no allocation per attribute, unlike AttrWriter):
 * a batch encodes ten thousand entries, and this is most of its work. Integers are big-endian as
 * ctnetlink expects; nests are opened and closed around their contents.
 */
export class AttrBuffer {
  private buf: Buffer;
  private len = 0;
  private readonly open: number[] = [];

  /** `capacity`: the bytes expected (it grows past them as needed). */
  constructor(capacity = 1024) {
    this.buf = Buffer.allocUnsafe(Math.max(64, capacity));
  }

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  private header(type: number, payload: number): number {
    this.room(4 + payload + 3);
    const at = this.len;
    this.buf.writeUInt16LE(4 + payload, at);
    this.buf.writeUInt16LE(type, at + 2);
    this.len += 4;
    return at + 4;
  }

  private pad(): void {
    while (this.len % 4) this.buf[this.len++] = 0;
  }

  u8(type: number, value: number): this {
    const at = this.header(type, 1);
    this.buf[at] = value & 0xff;
    this.len += 1;
    this.pad();
    return this;
  }

  u16(type: number, value: number): this {
    const at = this.header(type, 2);
    this.buf.writeUInt16BE(value & 0xffff, at);
    this.len += 2;
    this.pad();
    return this;
  }

  u32(type: number, value: number): this {
    const at = this.header(type, 4);
    this.buf.writeUInt32BE(value >>> 0, at);
    this.len += 4;
    return this;
  }

  /** An address attribute from its 32-bit words (1 for IPv4, 4 for IPv6). */
  words(type: number, words: readonly number[]): this {
    let at = this.header(type, words.length * 4);
    for (const w of words) {
      this.buf.writeUInt32BE(w >>> 0, at);
      at += 4;
    }
    this.len = at;
    return this;
  }

  bytes(type: number, value: Uint8Array): this {
    const at = this.header(type, value.length);
    this.buf.set(value, at);
    this.len += value.length;
    this.pad();
    return this;
  }

  begin(type: number): this {
    this.room(4);
    this.open.push(this.len);
    this.buf.writeUInt16LE(type | NLA_F_NESTED, this.len + 2);
    this.len += 4;
    return this;
  }

  end(): this {
    const start = this.open.pop();
    if (start === undefined) throw new Error('AttrBuffer.end() without begin()');
    this.buf.writeUInt16LE(this.len - start, start);
    return this;
  }

  /** Opens a whole netlink message (nlmsghdr + nfgenmsg; the sequence number is set when it is sent). */
  beginMessage(type: number, flags: number, family: number): number {
    this.room(20);
    const start = this.len;
    this.buf.writeUInt16LE(type, start + 4);
    this.buf.writeUInt16LE(flags, start + 6);
    this.buf.writeUInt32LE(0, start + 8);
    this.buf.writeUInt32LE(0, start + 12);
    this.buf[start + 16] = family;
    this.buf[start + 17] = 0;
    this.buf.writeUInt16BE(0, start + 18);
    this.len += 20;
    this.open.push(start);
    return start;
  }

  /** Closes the message beginMessage() opened: its total length goes into the header. */
  endMessage(): number {
    const start = this.open.pop();
    if (start === undefined) throw new Error('AttrBuffer.endMessage() without beginMessage()');
    this.buf.writeUInt32LE(this.len - start, start);
    return this.len;
  }

  /** The buffer with room for `n` more bytes at `length`, for a caller that writes them itself, then commit()s. */
  writable(n: number): Buffer {
    this.room(n);
    return this.buf;
  }

  /** Bytes written so far. */
  get length(): number {
    return this.len;
  }

  /** Ends a direct write into writable(): the bytes up to `end` are written. */
  commit(end: number): void {
    this.len = end;
  }

  /** Everything written so far, without copying (valid until the next write). */
  view(): Buffer {
    return this.buf.subarray(0, this.len);
  }

  /** Forgets a message that failed halfway: back to `position`. */
  rewind(position: number): void {
    this.len = position;
    this.open.length = 0;
  }

  /** Starts a message over (after a builder threw halfway, say). */
  reset(): this {
    this.len = 0;
    this.open.length = 0;
    return this;
  }

  /** The attributes written so far, copied out; the buffer starts over for the next message. */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.len));
    this.len = 0;
    this.open.length = 0;
    return out;
  }
}
