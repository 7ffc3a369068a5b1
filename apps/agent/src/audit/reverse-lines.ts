import { open } from 'node:fs/promises';

export interface ReverseReadOptions {
  /** Bytes read per step (default 64 KiB). */
  chunkBytes?: number;
  /** Lines longer than this are skipped whole, so memory stays bounded by it plus one chunk. */
  maxLineBytes: number;
  /** Shared read budget, decremented per chunk; reading stops when it reaches 0. */
  budget?: { bytes: number };
}

const NEWLINE = 0x0a;
const EMPTY = Buffer.alloc(0);

/**
 * Yields the lines of a file from the last to the first, reading it backwards in chunks. A missing
 * file yields nothing. Empty lines and lines longer than `maxLineBytes` are skipped; a last line
 * without its newline (a torn write) is yielded like any other, and is for the caller to reject.
 */
export async function* linesBackwards(path: string, options: ReverseReadOptions): AsyncGenerator<string> {
  const chunkBytes = options.chunkBytes ?? 65_536;
  const max = options.maxLineBytes;
  let file;
  try {
    file = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    let position = (await file.stat()).size;
    const buffer = Buffer.alloc(chunkBytes);
    /** The tail of a line whose beginning lies in an earlier chunk. */
    let carry: Buffer = EMPTY;
    /** True while skipping a line that has already grown past `max`. */
    let oversized = false;
    while (position > 0) {
      if (options.budget) {
        if (options.budget.bytes <= 0) return;
        options.budget.bytes -= Math.min(chunkBytes, position);
      }
      const length = Math.min(chunkBytes, position);
      position -= length;
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await file.read(buffer, filled, length - filled, position + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      let end = filled;
      for (let i = filled - 1; i >= 0; i--) {
        if (buffer[i] !== NEWLINE) continue;
        if (!oversized) {
          const size = end - (i + 1) + carry.length;
          if (size > 0 && size <= max) {
            const piece = buffer.subarray(i + 1, end);
            yield (carry.length > 0 ? Buffer.concat([piece, carry]) : piece).toString('utf8');
          }
        }
        carry = EMPTY;
        oversized = false;
        end = i;
      }
      if (oversized) continue;
      if (end + carry.length > max) {
        oversized = true;
        carry = EMPTY;
      } else if (end > 0) {
        carry = Buffer.concat([buffer.subarray(0, end), carry]);
      }
    }
    if (!oversized && carry.length > 0) yield carry.toString('utf8');
  } finally {
    await file.close();
  }
}
