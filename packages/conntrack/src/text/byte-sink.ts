/**
 * Builds output text as bytes in one reusable buffer: printing hundreds of thousands of lines
 * without creating a string per field (which is what made GC dominate `ctscope list`).
 * Only for ASCII text: every character is stored as one byte.
 */
export interface ByteSinkOptions {
  /**
   * `flushTo` is done with the chunk when it returns (a synchronous write): the sink then hands it
   * its own buffer and reuses it, instead of a fresh copy per chunk.
   */
  consumedOnReturn?: boolean;
}

export class ByteSink {
  private buf: Buffer;
  private pos = 0;
  private readonly reuse: boolean;

  constructor(
    private readonly flushTo: (chunk: Buffer) => void,
    capacity = 1 << 20,
    options: ByteSinkOptions = {},
  ) {
    this.buf = Buffer.allocUnsafe(capacity);
    this.reuse = options.consumedOnReturn === true;
  }

  /** Makes room for `n` more bytes, flushing what is buffered when needed. */
  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n * 2);
  }

  /**
   * For writers that format a whole line at once: the buffer, with room for `n` bytes from `position`.
   * Write at most `n` bytes there, then `commit` the new position.
   */
  claim(n: number): Buffer {
    this.reserve(n);
    return this.buf;
  }

  get position(): number {
    return this.pos;
  }

  commit(position: number): void {
    this.pos = position;
  }

  ascii(text: string): void {
    this.reserve(text.length);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < text.length; i++) buf[pos++] = text.charCodeAt(i);
    this.pos = pos;
  }

  byte(code: number): void {
    this.reserve(1);
    this.buf[this.pos++] = code;
  }

  /** A non-negative integer below 2^53 in decimal. */
  uint(value: number): void {
    this.reserve(16);
    if (value < 10) {
      this.buf[this.pos++] = 48 + value;
      return;
    }
    if (value < 0x100000000) {
      // Unsigned 32-bit arithmetic: most numbers printed (ports, ids, marks) fit.
      let digits = 1;
      for (let v = value; v >= 10; v = (v / 10) >>> 0) digits++;
      const start = this.pos;
      let at = start + digits;
      this.pos = at;
      for (let v = value; at > start; v = (v / 10) >>> 0) this.buf[--at] = 48 + (v % 10);
      return;
    }
    let digits = 0;
    for (let v = value; v >= 1; v = Math.floor(v / 10)) digits++;
    let at = this.pos + digits;
    this.pos = at;
    for (let v = value; v >= 1; v = Math.floor(v / 10)) this.buf[--at] = 48 + (v % 10);
  }

  /** Drops the last byte written (the trailing separator of a line). */
  backspace(): void {
    if (this.pos > 0) this.pos--;
  }

  /** `text` padded with spaces to `width` (printf's %-Ns). */
  padded(text: string, width: number): void {
    this.ascii(text);
    for (let i = text.length; i < width; i++) this.byte(32);
  }

  flush(): void {
    if (this.pos === 0) return;
    const length = this.pos;
    this.pos = 0;
    if (this.reuse) return this.flushTo(this.buf.subarray(0, length));
    // Otherwise the consumer may keep the chunk (an async stream), so it gets its own copy.
    this.flushTo(Buffer.from(this.buf.subarray(0, length)));
  }
}
