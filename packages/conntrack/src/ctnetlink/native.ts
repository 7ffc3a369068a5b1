import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NetlinkUnavailableError } from './errors';

export interface NativeEventSocket {
  readonly __brand: 'NativeEventSocket';
}

/** The addon in native/nfevents.c, built by `npm run build:native` (the setup scripts do it). */
export interface NfEventsAddon {
  /**
   * An event socket. `callback` gets the datagrams read in one wakeup, concatenated (whole messages), or
   * null with an errno; ENOBUFS also when the kernel's count of events dropped for the socket grew
   * without one. `drops` is that count.
   */
  open(groupsMask: number, receiveBufferBytes: number, callback: (datagrams: Buffer | null, errno: number, drops: number) => void): NativeEventSocket;
  close(socket: NativeEventSocket): void;
  receiveBufferBytes(socket: NativeEventSocket): number;
  unref(socket: NativeEventSocket): void;
  /**
   * Runs one dump request on a worker thread; received datagrams arrive concatenated, in batches of
   * `length` bytes at the start of `target` (at least 32 KiB; reused for the next batch as soon as the
   * callback returns), until `finished`. The receiving thread runs at most `readAhead` 32 KiB chunks
   * ahead of this one (64 by default, 1024 at most).
   */
  dumpInto(request: Buffer, seq: number, target: Buffer, callback: (target: Buffer, length: number, finished: boolean, errno: number) => void, readAhead?: number): void;
  /** Asks for a pipe of `bytes` (fcntl F_SETPIPE_SZ); returns its capacity now, or -errno. */
  growPipe(fd: number, bytes: number): number;
  /**
   * Entry counts of the network namespaces behind `paths` (/run/netns/NAME, /proc/PID/ns/net), asked
   * from inside each on a thread of the addon's own: per path, [inode, entries, errno] in `results`;
   * `threadCpuSeconds` is what the pass cost that thread.
   */
  countNetns(paths: readonly string[], callback: (results: Float64Array, threadCpuSeconds: number) => void): void;
  /**
   * Encodes the batch lines from `spec`'s text position on that repeat its reference line's options
   * (native/nfbatch.c; FastCreateEncoder.repeat() fills `spec`) into `arena`; returns how many, or -1
   * when the reference line itself is outside what it reads.
   */
  encodeRepeats?(text: Buffer, spec: Int32Array, arena: Buffer): number;
  /**
   * Numbers a datagram's messages from 1, each a request, only the last asking for an acknowledgement
   * (native/nfbatch.c): how many, or -1 - the offset of a message whose length is impossible.
   */
  numberMessages?(datagram: Buffer): number;
}

let addon: NfEventsAddon | undefined;

/** The addon when it is built, or null (callers then use the pure JavaScript path). */
export function tryNfEvents(): NfEventsAddon | null {
  try {
    return loadNfEvents();
  } catch {
    return null;
  }
}

/**
 * Set by the packaged CLI's single-file bundles (scripts/lib/package/tree.mjs): the addon's path from
 * the bundle's directory, so a one-shot command skips resolving the package (~4 ms of every start).
 */
declare const __CTSCOPE_ADDON_BESIDE_BUNDLE__: string | undefined;

function addonPath(require: NodeJS.Require): string {
  if (typeof __CTSCOPE_ADDON_BESIDE_BUNDLE__ === 'string') return join(dirname(fileURLToPath(import.meta.url)), __CTSCOPE_ADDON_BESIDE_BUNDLE__);
  // Resolved through the package so it works from the sources and from a bundle alike.
  return join(dirname(require.resolve('@ctscope/conntrack/package.json')), 'build', 'Release', 'nfevents.node');
}

export function loadNfEvents(): NfEventsAddon {
  if (addon) return addon;
  const require = createRequire(import.meta.url);
  try {
    addon = require(addonPath(require)) as NfEventsAddon;
    return addon;
  } catch (err) {
    throw new NetlinkUnavailableError(`the nfevents addon is not built (run: npm run build:native -w @ctscope/conntrack): ${(err as Error).message}`);
  }
}

/**
 * Grows the pipe on `fd` to `bytes` (at most /proc/sys/fs/pipe-max-size without CAP_SYS_RESOURCE);
 * returns its capacity, or null when `fd` is no pipe or the addon is not built.
 */
export function growPipe(fd: number, bytes: number): number | null {
  const native = tryNfEvents();
  if (typeof native?.growPipe !== 'function') return null;
  const size = native.growPipe(fd, bytes);
  return size > 0 ? size : null;
}
