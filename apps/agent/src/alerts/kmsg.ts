import { closeSync, constants, openSync, readSync } from 'node:fs';
import type { Logger } from 'pino';
import { kmsgMessage, TABLE_FULL } from './kmsg-record';

export { kmsgMessage, parseKmsgRecord, TABLE_FULL, type KmsgRecord } from './kmsg-record';

/** The file operations the watcher needs; swapped out in unit tests. Errors are thrown with `code`. */
export interface KmsgIo {
  open(path: string): number;
  /** One record per call on /dev/kmsg; 0 at end of file; throws EAGAIN when nothing is pending. */
  read(fd: number, buffer: Buffer): number;
  close(fd: number): void;
}

export const nodeKmsgIo: KmsgIo = {
  open: (path) => openSync(path, constants.O_RDONLY | constants.O_NONBLOCK),
  read: (fd, buffer) => readSync(fd, buffer, 0, buffer.length, null),
  close: (fd) => closeSync(fd),
};

export interface KmsgWatcherOptions {
  io?: KmsgIo;
  /** Milliseconds between polls (default 1000). */
  pollMs?: number;
  /** Called with the message of each matching record. */
  onMatch?(message: string): void;
}

/** The kernel formats a record into at most 8 KiB (CONSOLE_EXT_LOG_MAX); we grow to 64 KiB at most. */
const RECORD_BYTES = 8_192;
const MAX_RECORD_BYTES = 65_536;
/** Records read per poll, so a flood of kernel messages cannot hold the event loop. */
const RECORDS_PER_POLL = 10_000;
/** Backlog records skipped at start at most (the ring holds far fewer; a flood cannot spin us forever). */
const BACKLOG_LIMIT = 1_000_000;

const codeOf = (err: unknown) => (err as NodeJS.ErrnoException).code;

/**
 * Counts kernel log records matching a pattern (by default "table full, dropping packet"), from the
 * moment `start()` is called. /dev/kmsg is opened read-only and non-blocking and polled (a blocking
 * read would hold one of libuv's few threads forever); the backlog present at start is read and
 * discarded, which is how we "seek to the end" without lseek. Records overwritten before we read them
 * (EPIPE) are counted in `lost` and skipped. Memory: one record buffer, nothing else.
 */
export class KmsgWatcher {
  private fd: number | null = null;
  private timer: NodeJS.Timeout | undefined;
  private matched = 0;
  private overwritten = 0;
  private last: { at: number; message: string } | null = null;
  private buffer = Buffer.alloc(RECORD_BYTES);
  private lastErrorCode: string | undefined;
  private readonly io: KmsgIo;

  constructor(
    private readonly logger: Logger,
    private readonly pattern: RegExp = TABLE_FULL,
    private readonly path = '/dev/kmsg',
    private readonly options: KmsgWatcherOptions = {},
  ) {
    this.io = options.io ?? nodeKmsgIo;
  }

  /** Matching records seen since start. */
  get count(): number {
    return this.matched;
  }

  /** Records the kernel overwrote before we could read them (they may have matched). */
  get lost(): number {
    return this.overwritten;
  }

  /** The newest matching record, with the time (ms) we read it. */
  get lastMatch(): { at: number; message: string } | null {
    return this.last;
  }

  get running(): boolean {
    return this.fd !== null;
  }

  /** Opens the log and skips its backlog; false (logged) when it cannot be read. */
  start(): boolean {
    if (this.fd !== null) return true;
    try {
      this.fd = this.io.open(this.path);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message, path: this.path }, 'cannot read the kernel log; "table full" lines will not raise alerts');
      return false;
    }
    this.drain(false, BACKLOG_LIMIT);
    this.timer = setInterval(() => this.drain(), this.options.pollMs ?? 1_000);
    this.timer.unref();
    return true;
  }

  /** Reads pending records; counts matches unless skipping the backlog. */
  drain(count = true, limit = RECORDS_PER_POLL): void {
    for (let n = 0; n < limit && this.fd !== null; n++) {
      let bytes: number;
      try {
        bytes = this.io.read(this.fd, this.buffer);
      } catch (err) {
        const code = codeOf(err);
        if (code === 'EAGAIN' || code === 'EWOULDBLOCK') return;
        if (code === 'EPIPE') {
          this.overwritten++; // the reader moved past records the ring buffer dropped
          continue;
        }
        if (code === 'EINVAL' && this.buffer.length < MAX_RECORD_BYTES) {
          this.buffer = Buffer.alloc(this.buffer.length * 2); // a record longer than our buffer
          continue;
        }
        if (code !== this.lastErrorCode) this.logger.warn({ err: (err as Error).message, path: this.path }, 'reading the kernel log failed');
        this.lastErrorCode = code;
        return;
      }
      this.lastErrorCode = undefined;
      if (bytes <= 0) return;
      if (!count) continue;
      const message = kmsgMessage(this.buffer.toString('utf8', 0, bytes));
      this.pattern.lastIndex = 0; // a /g pattern would otherwise remember where it stopped
      if (!this.pattern.test(message)) continue;
      this.matched++;
      this.last = { at: Date.now(), message };
      this.options.onMatch?.(message);
    }
  }

  /** Stops polling and closes the log; safe to call twice. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.fd !== null) {
      try {
        this.io.close(this.fd);
      } catch {
        // already closed: nothing to release
      }
    }
    this.fd = null;
  }
}
