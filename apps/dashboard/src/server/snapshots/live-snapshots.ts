import { randomBytes } from 'node:crypto';
import { ErrorCode, fail, ok, snapshotChunkSchema, type Ack } from '@ctscope/protocol';

/** Snapshots of live hosts being downloaded through this server: chunks from agents routed to their download. */

/** Receives one chunk's bytes; resolves when they may be acknowledged (the browser took them). */
export type ChunkSink = (data: Uint8Array) => Promise<void>;

interface Stream {
  hostId: string;
  nextSeq: number;
  sink: ChunkSink;
  /** Set when the browser went away or a limit was hit: the agent's next chunk is refused, which stops it. */
  stopped: string | null;
  /** Called on every chunk (the download's idle timer restarts). */
  onProgress(): void;
}

export interface LiveSnapshotLimits {
  /** Snapshots one user may start per minute. */
  perUserPerMinute: number;
}

export const DEFAULT_LIVE_SNAPSHOT_LIMITS: LiveSnapshotLimits = { perUserPerMinute: 3 };

export type Admission = { ok: true; snapId: string } | { ok: false; status: 409 | 429; code: (typeof ErrorCode)[keyof typeof ErrorCode]; message: string; retryAfterMs?: number };

export class LiveSnapshots {
  private readonly streams = new Map<string, Stream>();
  private readonly busyHosts = new Set<string>();
  private readonly startsByUser = new Map<string, number[]>();

  constructor(private readonly limits: LiveSnapshotLimits = DEFAULT_LIVE_SNAPSHOT_LIMITS) {}

  /** One snapshot in progress per host, a few per user per minute. */
  admit(hostId: string, user: string, now = Date.now()): Admission {
    if (this.busyHosts.has(hostId)) return { ok: false, status: 409, code: ErrorCode.Conflict, message: 'a snapshot of this host is being made already; wait for it to finish and try again' };
    const recent = (this.startsByUser.get(user) ?? []).filter((at) => now - at < 60_000);
    if (recent.length >= this.limits.perUserPerMinute) {
      const retryAfterMs = 60_000 - (now - (recent[0] as number));
      return { ok: false, status: 429, code: ErrorCode.RateLimited, message: `at most ${this.limits.perUserPerMinute} snapshots a minute; try again in ${Math.ceil(retryAfterMs / 1000)} s`, retryAfterMs };
    }
    recent.push(now);
    this.startsByUser.set(user, recent);
    this.busyHosts.add(hostId);
    return { ok: true, snapId: randomBytes(12).toString('hex') };
  }

  open(snapId: string, hostId: string, sink: ChunkSink, onProgress: () => void): void {
    this.streams.set(snapId, { hostId, nextSeq: 0, sink, stopped: null, onProgress });
  }

  /** Refuses the agent's next chunk with this reason, which stops the snapshot there. */
  stop(snapId: string, reason: string): void {
    const stream = this.streams.get(snapId);
    if (stream) stream.stopped ??= reason;
  }

  close(snapId: string, hostId: string): void {
    this.streams.delete(snapId);
    this.busyHosts.delete(hostId);
  }

  /** A chunk from host `hostId`'s agent: parsed, matched to its download (by that host only, in order), then acknowledged once written. */
  async chunk(hostId: string, payload: unknown): Promise<Ack<Record<string, never>>> {
    const parsed = snapshotChunkSchema.safeParse(payload);
    if (!parsed.success) return fail(ErrorCode.BadRequest, 'malformed snapshot chunk');
    const { snapId, seq, data } = parsed.data;
    const stream = this.streams.get(snapId);
    if (!stream || stream.hostId !== hostId) return fail(ErrorCode.NotFound, 'no such snapshot download (it ended or was cancelled)');
    if (stream.stopped !== null) return fail(ErrorCode.Unavailable, stream.stopped);
    if (seq !== stream.nextSeq) {
      stream.stopped = `chunk ${seq} arrived where ${stream.nextSeq} was expected`;
      return fail(ErrorCode.BadRequest, stream.stopped);
    }
    stream.nextSeq++;
    stream.onProgress();
    await stream.sink(data);
    return stream.stopped === null ? ok({}) : fail(ErrorCode.Unavailable, stream.stopped);
  }
}
