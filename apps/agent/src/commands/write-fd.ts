import { writeSync } from 'node:fs';

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes all of `chunk` to `fd` before returning, so the caller may reuse the buffer at once. A
 * non-blocking descriptor that is full (EAGAIN: a pipe shared with a process that made it
 * non-blocking) is retried after a millisecond's sleep. A reader that went away (EPIPE, `| head`)
 * ends the process quietly, as SIGPIPE ends `conntrack -L`.
 */
export function writeAllSync(fd: number, chunk: Uint8Array, length = chunk.length): void {
  for (let off = 0; off < length; ) {
    try {
      off += writeSync(fd, chunk, off, length - off);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') Atomics.wait(pause, 0, 0, 1);
      else if (code === 'EPIPE') process.exit(0);
      else throw err;
    }
  }
}
