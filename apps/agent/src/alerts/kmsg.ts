import { closeSync, constants, openSync, readSync } from 'node:fs';
import type { Logger } from 'pino';

/** The kernel's line when the conntrack table overflows (older kernels print the prefix twice). */
export const TABLE_FULL = /nf_conntrack: (?:nf_conntrack: )?table full, dropping packet/;

/** A kmsg record is "prio,seq,usec,flags;message"; the message is what matters. */
export function kmsgMessage(record: string): string {
  const semicolon = record.indexOf(';');
  const message = semicolon >= 0 ? record.slice(semicolon + 1) : record;
  const newline = message.indexOf('\n');
  return newline >= 0 ? message.slice(0, newline) : message;
}

const RECORD_BYTES = 8_192;
const POLL_MS = 1_000;

/**
 * Counts kernel log lines matching a pattern, from now on. /dev/kmsg is read without blocking once a
 * second (a blocking read would hold one of libuv's few threads forever); the backlog present at start is
 * skipped; overwritten records (EPIPE) are skipped too. One record buffer, nothing else is kept.
 */
export class KmsgWatcher {
  private fd: number | null = null;
  private timer: NodeJS.Timeout | undefined;
  private matched = 0;
  private readonly buffer = Buffer.alloc(RECORD_BYTES);

  constructor(
    private readonly logger: Logger,
    private readonly pattern: RegExp = TABLE_FULL,
    private readonly path = '/dev/kmsg',
  ) {}

  get count(): number {
    return this.matched;
  }

  start(): boolean {
    try {
      this.fd = openSync(this.path, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'cannot read the kernel log; "table full" lines will not raise alerts');
      return false;
    }
    this.drain(false);
    this.timer = setInterval(() => this.drain(true), POLL_MS);
    this.timer.unref();
    return true;
  }

  /** Reads every pending record; counts matches unless skipping the backlog. */
  drain(count = true): void {
    if (this.fd === null) return;
    for (;;) {
      let bytes: number;
      try {
        bytes = readSync(this.fd, this.buffer, 0, RECORD_BYTES, null);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') continue; // records were overwritten before we read them
        if (code !== 'EAGAIN') this.logger.warn({ err: (err as Error).message }, 'reading the kernel log failed');
        return;
      }
      if (bytes === 0) return;
      if (count && this.pattern.test(kmsgMessage(this.buffer.toString('utf8', 0, bytes)))) this.matched++;
    }
  }

  stop(): void {
    clearInterval(this.timer);
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
