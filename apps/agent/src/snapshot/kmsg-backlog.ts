import { MAX_SNAPSHOT_KMSG_LINES } from '@ctscope/protocol';
import { nodeKmsgIo, parseKmsgRecord, TABLE_FULL, type KmsgIo } from '../alerts/kmsg';

export interface KmsgLine {
  seq: number;
  usec: number;
  message: string;
}

/** Records read at most: the kernel ring holds far fewer, so a flood cannot keep us here. */
const READ_LIMIT = 1_000_000;

/**
 * The kernel's "table full" records still in its log ring (the newest MAX_SNAPSHOT_KMSG_LINES), read
 * once from /dev/kmsg without blocking. An unreadable log gives an empty list and the reason.
 */
export function readTableFullBacklog(io: KmsgIo = nodeKmsgIo, path = '/dev/kmsg'): { lines: KmsgLine[]; error?: string } {
  let fd: number;
  try {
    fd = io.open(path);
  } catch (err) {
    return { lines: [], error: `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}` };
  }
  const lines: KmsgLine[] = [];
  let buffer = Buffer.alloc(8_192);
  try {
    for (let n = 0; n < READ_LIMIT; n++) {
      let bytes: number;
      try {
        bytes = io.read(fd, buffer);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') continue; // records overwritten while we read
        if (code === 'EINVAL' && buffer.length < 65_536) {
          buffer = Buffer.alloc(buffer.length * 2);
          continue;
        }
        break; // EAGAIN: the end of the ring
      }
      if (bytes === 0) break;
      const record = parseKmsgRecord(buffer.toString('utf8', 0, bytes));
      if (record && TABLE_FULL.test(record.message)) {
        lines.push({ seq: record.seq, usec: record.usec, message: record.message.slice(0, 1_000) });
        if (lines.length > MAX_SNAPSHOT_KMSG_LINES) lines.shift();
      }
    }
  } finally {
    io.close(fd);
  }
  return { lines };
}
