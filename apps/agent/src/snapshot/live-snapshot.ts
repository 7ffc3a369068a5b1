import { ErrorCode, MAX_HISTORY_POINTS, SNAPSHOT_CHUNK_BYTES, fail, ok, type Ack, type HistoryPoint, type SnapshotMade, type SnapshotMakeRequest } from '@ctscope/protocol';
import type { Flow } from '@ctscope/conntrack';
import { HAS } from '../mirror/columns';
import type { FlowTable, MirrorEntry } from '../mirror/flow-table';
import { compileQuery } from '../query/compile-query';
import { compileRowFilter } from '../query/row-filter';
import type { StatsReader } from '../stats/sampler';
import { makeSnapshot, type SnapshotProviders } from './make-snapshot';

/** Sends one chunk; resolves with whether to go on (false: the dashboard stopped it), rejects when unanswered. */
export type ChunkSend = (seq: number, data: Buffer) => Promise<boolean>;

export interface LiveSnapshotDeps {
  table: () => FlowTable;
  stats: StatsReader;
  providers: Required<SnapshotProviders>;
}

/** The agent's own points, after the dashboard's stored ones from before them (an agent up for less than the hour). */
export function withStoredHistory(own: HistoryPoint[], stored: readonly HistoryPoint[]): HistoryPoint[] {
  const oldest = own[0]?.at ?? Number.POSITIVE_INFINITY;
  return [...stored.filter((p) => p.at < oldest), ...own].slice(-MAX_HISTORY_POINTS);
}

/** Entries written per turn of the event loop: the mirror keeps applying kernel events between turns. */
const BATCH = 2_000;
/** Chunks waiting for the dashboard before the table is read further: memory stays bounded at any size. */
const QUEUED_CHUNKS = 4;

class SnapshotStopped extends Error {
  constructor(
    readonly code: (typeof ErrorCode)[keyof typeof ErrorCode],
    message: string,
  ) {
    super(message);
  }
}

/** Cuts the writer's gzip members into chunks and sends them one at a time, each after the last one's ack. */
class ChunkQueue {
  private readonly queue: Buffer[] = [];
  private seq = 0;
  private sending = false;
  private waiters: Array<() => void> = [];
  bytes = 0;
  stopped: SnapshotStopped | null = null;

  constructor(
    private readonly send: ChunkSend,
    private readonly maxBytes: number,
  ) {}

  push(member: Buffer): void {
    if (this.stopped) return;
    this.bytes += member.length;
    if (this.bytes > this.maxBytes) return this.stop(new SnapshotStopped(ErrorCode.BadRequest, `the snapshot is larger than ${Math.floor(this.maxBytes / 2 ** 20)} MiB, the most this dashboard takes; filter the table to make a smaller one`));
    for (let at = 0; at < member.length; at += SNAPSHOT_CHUNK_BYTES) this.queue.push(member.subarray(at, at + SNAPSHOT_CHUNK_BYTES));
    void this.pump();
  }

  /** Resolves once few enough chunks wait; throws when the snapshot was stopped. */
  async room(): Promise<void> {
    while (!this.stopped && this.queue.length > QUEUED_CHUNKS) await new Promise<void>((resolve) => this.waiters.push(resolve));
    if (this.stopped) throw this.stopped;
  }

  /** Resolves when every chunk is acknowledged. */
  async drained(): Promise<void> {
    while (!this.stopped && (this.queue.length > 0 || this.sending)) await new Promise<void>((resolve) => this.waiters.push(resolve));
    if (this.stopped) throw this.stopped;
  }

  private stop(reason: SnapshotStopped): void {
    this.stopped ??= reason;
    this.queue.length = 0;
    this.wake();
  }

  private wake(): void {
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  private async pump(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    for (let data = this.queue.shift(); data && !this.stopped; data = this.queue.shift()) {
      try {
        if (!(await this.send(this.seq++, data))) this.stop(new SnapshotStopped(ErrorCode.Unavailable, 'the dashboard stopped the snapshot (the download was cancelled)'));
      } catch {
        this.stop(new SnapshotStopped(ErrorCode.Timeout, 'the dashboard did not take a piece of the snapshot in time'));
      }
      this.wake();
    }
    this.sending = false;
    this.wake();
  }
}

/**
 * Snapshots of the live host for the dashboard's Snapshot button: the file `ctscope snapshot` writes,
 * with what only the running agent has (stats and composition history, active alerts), its flows taken
 * from the mirror (never a second dump), sent in acknowledged chunks. One at a time.
 */
export class LiveSnapshots {
  private busy = false;

  constructor(private readonly deps: LiveSnapshotDeps) {}

  async make(request: Omit<SnapshotMakeRequest, 'storedHistory'> & { storedHistory?: HistoryPoint[] }, send: ChunkSend): Promise<Ack<SnapshotMade>> {
    if (this.busy) return fail(ErrorCode.Conflict, 'a snapshot of this host is already being made; try again when it is done');
    const compiled = compileQuery(request.query);
    if (!compiled.ok) return fail(ErrorCode.BadRequest, compiled.message);
    this.busy = true;
    const chunks = new ChunkQueue(send, request.maxBytes);
    try {
      const made = await makeSnapshot({
        via: 'agent',
        filter: request.query.trim() === '' ? null : request.query.trim(),
        stats: this.deps.stats,
        providers: { ...this.deps.providers, statsHistory: () => withStoredHistory(this.deps.providers.statsHistory(), request.storedHistory ?? []) },
        sink: (member) => chunks.push(member),
        flows: (emit) => this.selected(compiled, chunks, emit),
      });
      await chunks.drained();
      return ok({ flows: made.flows, bytes: chunks.bytes, notes: made.notes });
    } catch (err) {
      const stopped = chunks.stopped ?? (err instanceof SnapshotStopped ? err : null);
      if (stopped) return fail(stopped.code, stopped.message);
      throw err;
    } finally {
      this.busy = false;
    }
  }

  /**
   * The entries matching the filter when the snapshot starts, by kernel id, written in batches between
   * which the mirror goes on following the kernel: an entry that ended meanwhile is left out, one that
   * no longer matches too; entries born after the start are not in the file.
   */
  private async selected(compiled: { filter: Parameters<typeof compileRowFilter>[0]; match: (flow: Flow) => boolean }, chunks: ChunkQueue, emit: (flow: Flow, seenAt: number) => void): Promise<void> {
    const table = this.deps.table();
    const matches = compileRowFilter(compiled.filter, table);
    const { flags, id } = table.columns;
    const ids: number[] = [];
    const withoutId: MirrorEntry[] = [];
    for (let row = 0, n = table.size; row < n; row++) {
      if (!matches(row)) continue;
      if ((flags[row] as number) & HAS.ID) ids.push(id[row] as number);
      else withoutId.push(table.entryAt(row)); // only from the conntrack CLI fallback, which may not print ids
    }
    for (const entry of withoutId) emit(entry.flow, entry.seenAt);
    const sorted = Uint32Array.from(ids).sort();
    for (let start = 0; start < sorted.length; start += BATCH) {
      // A macrotask, not a microtask: kernel events, finished gzip members and the dashboard's acks are handled here.
      await new Promise((resolve) => setImmediate(resolve));
      await chunks.room();
      const now = this.deps.table();
      for (let i = start, end = Math.min(start + BATCH, sorted.length); i < end; i++) {
        if (i > 0 && sorted[i - 1] === sorted[i]) continue;
        for (const entry of now.withId(sorted[i] as number)) if (compiled.match(entry.flow)) emit(entry.flow, entry.seenAt);
      }
    }
    await chunks.room();
  }
}
