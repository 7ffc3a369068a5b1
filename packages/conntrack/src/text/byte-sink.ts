/**
 * Builds output text as bytes in one reusable buffer: printing hundreds of thousands of lines
 * without creating a string per field (which is what made GC dominate `ctscope list`).
 * Only for ASCII text: every character is stored as one byte.
 */
export class ByteSink {
  private buf: Buffer;
  private pos = 0;

  constructor(
    private readonly flushTo: (chunk: Buffer) => void,
    capacity = 1 << 20,
  ) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  /** Makes room for `n` more bytes, flushing what is buffered when needed. */
  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n * 2);
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
    // The consumer may keep the chunk (an async stream), so it gets its own copy.
    this.flushTo(Buffer.from(this.buf.subarray(0, this.pos)));
    this.pos = 0;
  }
}
