import { decodeFlow, newPlainFlow, scanPlainFlow, type ConntrackSource, type EventType, type Flow, type FlowEvent, type Subscription } from '@ctscope/conntrack';
import type { RESYNC_REASONS } from '@ctscope/protocol';
import type { Logger } from 'pino';
import { FlowTable, type MirrorEntry } from './flow-table';

export type ResyncReason = (typeof RESYNC_REASONS)[number];

export type { MirrorEntry } from './flow-table';

export interface MirrorHealth {
  entries: number;
  resyncs: number;
  lastResync: { at: number; reason: ResyncReason; durationMs: number; entries: number } | null;
  overruns: number;
  /**
   * Events the kernel dropped on our event socket since start (its SK_MEMINFO_DROPS count, exact; it
   * includes drops no ENOBUFS announced). Stays 0 with sources that cannot count them (the CLI fallback).
   */
  lostEvents: number;
  /** Entries known only from dumps, whose changes the kernel will not report (see FlowTable.eventless). */
  eventless: number;
  /** Events applied since start, by type. */
  events: Record<EventType, number>;
  /** True while a dump is being merged. */
  resyncing: boolean;
  /** How far the mirror trails the kernel: while a dump is merged, how long events have been held back. */
  lagMs: number;
}

export interface MirrorOptions {
  logger: Logger;
  /** Events kept while a dump runs; more than this forces another resync instead of growing. */
  maxBufferedEvents?: number;
  /**
   * How often the kernel's count is compared with ours, and while entries without events remain, how
   * often the table is re-read to learn what became of them (see RECONCILE_COST_FACTOR).
   */
  checkIntervalMs?: number;
  /** Relative difference between kernel count and ours that triggers a resync. */
  driftTolerance?: number;
  /** Receive buffer of the event socket (the source's default when absent). */
  eventBufferBytes?: number;
}

/** Sources that can hand over a dump entry by entry (NetlinkSource) instead of as one array. */
interface StreamingSource {
  stream(filter: undefined, table: 'conntrack', onFlow: (flow: Flow) => void): Promise<number>;
}

const streams = (source: ConntrackSource): source is ConntrackSource & StreamingSource => typeof (source as Partial<StreamingSource>).stream === 'function';

/** Sources that hand over the dump's messages undecoded (NetlinkSource). */
interface MessageSource {
  streamMessages(filter: undefined, table: 'conntrack', onMessage: (buf: Uint8Array, start: number, end: number) => void): Promise<number>;
}

const hasMessages = (source: ConntrackSource): source is ConntrackSource & MessageSource => typeof (source as Partial<MessageSource>).streamMessages === 'function';

/**
 * Stores every dumped entry in `table` (as dumped: `set(flow, seenAt, false)`), without holding the
 * whole dump when the source can stream. Entries of the common shape go from the kernel's bytes
 * straight into the columns (scanPlainFlow, setPlain): no Flow, no address strings.
 */
async function dumpInto(source: ConntrackSource, table: FlowTable, seenAt: number): Promise<void> {
  if (hasMessages(source)) {
    const plain = newPlainFlow();
    await source.streamMessages(undefined, 'conntrack', (buf, start, end) => {
      if (scanPlainFlow(buf, start, end, plain)) table.setPlain(plain, seenAt);
      else table.set(decodeFlow(buf, start, end), seenAt, false);
    });
  } else if (streams(source)) await source.stream(undefined, 'conntrack', (flow) => table.set(flow, seenAt, false));
  else for (const flow of await source.dump()) table.set(flow, seenAt, false);
}

/**
 * A re-read for entries without events waits at least this many times the last re-read's duration, so
 * that on a huge table it costs at most 1/(1 + this) of the agent's time (2 % at 50).
 */
export const RECONCILE_COST_FACTOR = 50;

export interface MirrorChange {
  /** Keys whose rows appeared or changed. */
  upserted: number;
  removed: number;
}

/**
 * The kernel table in memory: one dump, then follow events. When the kernel reports lost events, or the
 * kernel's count drifts from ours, a fresh dump is merged while events keep arriving; events received
 * during the dump are replayed on top, so the mirror converges without a gap. Entries that never send
 * events (older than our subscription) are followed by re-reading the table, at a bounded cost.
 */
export class Mirror {
  private readonly flows = new FlowTable();
  private resyncStarted = 0;
  private subscription: Subscription | null = null;
  private buffer: FlowEvent[] | null = null;
  private bufferOverflowed = false;
  private resyncQueued: ResyncReason | null = null;
  private checkTimer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<(change: MirrorChange) => void>();
  private readonly eventListeners = new Set<(event: FlowEvent, entry: MirrorEntry) => void>();
  private readonly health: MirrorHealth = {
    entries: 0,
    resyncs: 0,
    lastResync: null,
    overruns: 0,
    lostEvents: 0,
    eventless: 0,
    events: { NEW: 0, UPDATE: 0, DESTROY: 0 },
    resyncing: false,
    lagMs: 0,
  };
  private readonly maxBuffered: number;

  constructor(
    private readonly source: ConntrackSource,
    private readonly options: MirrorOptions,
  ) {
    this.maxBuffered = options.maxBufferedEvents ?? 200_000;
  }

  async start(): Promise<void> {
    this.subscription = this.source.subscribe(
      { events: ['NEW', 'UPDATE', 'DESTROY'], ...(this.options.eventBufferBytes ? { bufferBytes: this.options.eventBufferBytes } : {}) },
      {
        onEvent: (event) => this.receive(event),
        onOverrun: ({ overruns, lostEvents }) => {
          this.health.overruns = overruns;
          // A running count per socket: keep the largest seen (a late callback never lowers it).
          if (lostEvents !== undefined) this.health.lostEvents = Math.max(this.health.lostEvents, lostEvents);
          void this.resync('overrun');
        },
        onError: (err) => {
          this.options.logger.error({ err: err.message }, 'conntrack event stream failed; resyncing');
          void this.resync('error');
        },
      },
    );
    await this.resync('initial');
    const interval = this.options.checkIntervalMs ?? 30_000;
    this.checkTimer = setInterval(() => void this.check(), interval);
    this.checkTimer.unref();
  }

  stop(): void {
    clearInterval(this.checkTimer);
    this.subscription?.close();
    this.subscription = null;
  }

  get size(): number {
    return this.flows.size;
  }

  /** The mirrored table, for queries that read its columns (synchronously: it changes with every event). */
  get table(): FlowTable {
    return this.flows;
  }

  /** Every entry as a Flow of its own (costly on a large table: queries read `table` instead). */
  entries(): MirrorEntry[] {
    return this.flows.entries();
  }

  /** The live entry for this flow's identity (kernel id + original tuple + zone). */
  find(flow: Flow): MirrorEntry | undefined {
    return this.flows.find(flow);
  }

  withId(id: number): readonly MirrorEntry[] {
    return this.flows.withId(id);
  }

  /** Resolves once no resync is running or queued (for callers that need a settled view). */
  async settled(): Promise<void> {
    while (this.buffer || this.resyncQueued) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  getHealth(): MirrorHealth {
    const lagMs = this.buffer ? Date.now() - this.resyncStarted : 0;
    return { ...this.health, entries: this.flows.size, eventless: this.flows.eventless, events: { ...this.health.events }, lagMs };
  }

  /**
   * Deletes entries in the kernel and, at once, here: entries without events would otherwise stay until
   * the next re-read (for the others, the DESTROY event that follows finds nothing). Deleted or gone
   * already, they are not in the kernel any more; when the kernel refuses midway, a re-read tells
   * which went. Returns how many the kernel deleted.
   */
  async deleteFlows(flows: readonly Flow[]): Promise<number> {
    let deleted: number;
    try {
      deleted = await this.source.deleteFlows(flows);
    } catch (err) {
      void this.resync('error');
      throw err;
    }
    let removed = 0;
    for (const flow of flows) if (this.flows.delete(flow)) removed++;
    if (removed > 0) this.emit({ upserted: 0, removed });
    return deleted;
  }

  /** Empties the kernel table; entries without events are dropped here too (the rest send DESTROY). */
  async flush(): Promise<void> {
    await this.source.flush();
    const removed = this.flows.dropEventless();
    if (removed > 0) this.emit({ upserted: 0, removed });
  }

  onChange(listener: (change: MirrorChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every kernel event as it arrives, also while a resync holds it back from the table. */
  onEvent(listener: (event: FlowEvent, entry: MirrorEntry) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  private receive(event: FlowEvent): void {
    if (this.eventListeners.size > 0) {
      const entry: MirrorEntry = { flow: event.flow, seenAt: Date.now() };
      for (const listener of this.eventListeners) listener(event, entry);
    }
    if (this.buffer) {
      if (this.buffer.length < this.maxBuffered) this.buffer.push(event);
      else this.bufferOverflowed = true;
      return;
    }
    this.apply(event);
    this.emit({ upserted: event.type === 'DESTROY' ? 0 : 1, removed: event.type === 'DESTROY' ? 1 : 0 });
  }

  private apply(event: FlowEvent): void {
    this.health.events[event.type]++;
    if (event.type === 'DESTROY') this.flows.delete(event.flow);
    else this.flows.set(event.flow, Date.now(), true);
  }

  /** Whether entries without events are waiting to be re-read, and the last re-read was long enough ago. */
  private reconcileDue(): boolean {
    if (this.flows.eventless === 0) return false;
    const last = this.health.lastResync;
    return last === null || Date.now() - (last.at + last.durationMs) >= RECONCILE_COST_FACTOR * last.durationMs;
  }

  /** The periodic check: re-read for entries without events when due, else compare the kernel's count with ours. */
  private async check(): Promise<void> {
    if (this.buffer) return;
    if (this.reconcileDue()) return this.resync('eventless');
    try {
      const count = await this.source.count();
      const ours = this.flows.size;
      const tolerance = this.options.driftTolerance ?? 0.01;
      if (Math.abs(count - ours) > Math.max(5, count * tolerance)) await this.resync('count-drift');
    } catch (err) {
      this.options.logger.warn({ err: (err as Error).message }, 'cannot read the kernel count');
    }
  }

  /** Dumps and merges; a resync requested while one runs is queued (once) and runs right after. */
  async resync(reason: ResyncReason): Promise<void> {
    if (this.buffer) {
      this.resyncQueued ??= reason;
      return;
    }
    const started = Date.now();
    this.resyncStarted = started;
    this.buffer = [];
    this.bufferOverflowed = false;
    this.health.resyncing = true;
    try {
      // Merged in place: the table is never held twice, and with a streaming source neither is the dump.
      this.flows.beginMerge();
      await dumpInto(this.source, this.flows, Date.now());
      const removed = this.flows.sweep();
      for (const event of this.buffer) this.apply(event);
      this.health.resyncs++;
      this.health.lastResync = { at: started, reason, durationMs: Date.now() - started, entries: this.flows.size };
      this.options.logger.info({ reason, entries: this.flows.size, durationMs: Date.now() - started }, 'mirror resynced');
      this.emit({ upserted: this.flows.size, removed });
    } catch (err) {
      this.options.logger.error({ err: (err as Error).message, reason }, 'conntrack dump failed');
    } finally {
      const overflowed = this.bufferOverflowed;
      this.buffer = null;
      this.health.resyncing = false;
      const queued = overflowed ? 'buffer-full' : this.resyncQueued;
      this.resyncQueued = null;
      if (queued) void this.resync(queued);
    }
  }

  private emit(change: MirrorChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
