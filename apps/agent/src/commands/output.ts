import type { Flow } from '@ctscope/conntrack';

const FLUSH_AT = 256 * 1024;

/** Buffered stdout for hundreds of thousands of lines: few large writes, and waits when the pipe is full. */
export class LineWriter {
  private chunks: string[] = [];
  private size = 0;

  constructor(private readonly stream: NodeJS.WritableStream = process.stdout) {}

  async line(text: string): Promise<void> {
    this.chunks.push(text, '\n');
    this.size += text.length + 1;
    if (this.size >= FLUSH_AT) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.size === 0) return;
    const data = this.chunks.join('');
    this.chunks = [];
    this.size = 0;
    if (!this.stream.write(data)) await new Promise<void>((resolve) => this.stream.once('drain', () => resolve()));
  }
}

/** JSON for a flow: bigints (counters, timestamps) become decimal strings so no precision is lost. */
export function flowToJson(flow: Flow): string {
  return JSON.stringify(flow, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
}
