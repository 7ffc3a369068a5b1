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

/**
 * One message to standard error, written to fd 2 at once: process.stderr on a pipe or a terminal would
 * first load node:net or node:tty (~5-11 ms of a short command's start). Falls back to process.stderr
 * if fd 2 cannot take it whole now.
 */
export function writeStderr(text: string): void {
  try {
    const bytes = Buffer.from(text);
    const written = writeSync(2, bytes);
    if (written < bytes.length) process.stderr.write(bytes.subarray(written));
  } catch {
    process.stderr.write(text);
  }
}
