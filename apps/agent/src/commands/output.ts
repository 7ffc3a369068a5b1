import type { Expectation, Flow } from '@ctscope/conntrack';

const FLUSH_AT = 1024 * 1024;

/** Buffered stdout for hundreds of thousands of lines: few large writes, and waits when the pipe is full. */
export class LineWriter {
  // V8 appends to a string as a rope in O(1); one flatten per megabyte is cheaper than joining arrays.
  private pending = '';

  constructor(private readonly stream: NodeJS.WritableStream = process.stdout) {}

  /** Queues a line; returns a promise only when the caller must wait for the pipe to drain. */
  line(text: string): Promise<void> | undefined {
    this.pending += `${text}\n`;
    return this.pending.length >= FLUSH_AT ? this.flush() : undefined;
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const data = this.pending;
    this.pending = '';
    if (!this.stream.write(data)) await new Promise<void>((resolve) => this.stream.once('drain', () => resolve()));
  }
}

/** JSON for a flow (or an expectation): bigints (counters, timestamps) become decimal strings so no precision is lost. */
export function flowToJson(flow: Flow | Expectation): string {
  return JSON.stringify(flow, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
}
