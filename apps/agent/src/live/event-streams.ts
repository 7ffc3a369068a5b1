import type { FlowEvent } from '@ctscope/conntrack';
import { MAX_AGENT_SUBSCRIPTIONS, MAX_EVENTS_PER_BATCH, type EventBatch, type EventStreamSpec, type WireEvent } from '@ctscope/protocol';
import type { Mirror, MirrorEntry } from '../mirror/mirror';
import { compileQuery } from '../query/compile-query';
import { toWireFlow } from '../query/wire-flow';

export const EVENT_BATCH_INTERVAL_MS = 100;

interface Stream {
  types: ReadonlySet<string>;
  match: (flow: FlowEvent['flow']) => boolean;
  pending: WireEvent[];
  dropped: number;
}

export type StreamOpenResult = { ok: true } | { ok: false; message: string };

/**
 * Filtered event streams, batched every 100 ms. Each stream holds at most one batch; matching events
 * beyond it are counted and reported as `dropped` instead of queued.
 */
export class EventStreams {
  private readonly streams = new Map<string, Stream>();
  private readonly timer: NodeJS.Timeout;
  private readonly unsubscribe: () => void;

  constructor(
    mirror: Mirror,
    private readonly push: (subId: string, batch: EventBatch) => void,
    private readonly perBatch = MAX_EVENTS_PER_BATCH,
  ) {
    this.unsubscribe = mirror.onEvent((event, entry) => this.offer(event, entry));
    this.timer = setInterval(() => this.flush(), EVENT_BATCH_INTERVAL_MS);
    this.timer.unref();
  }

  get size(): number {
    return this.streams.size;
  }

  open(subId: string, spec: EventStreamSpec): StreamOpenResult {
    if (!this.streams.has(subId) && this.streams.size >= MAX_AGENT_SUBSCRIPTIONS) {
      return { ok: false, message: `this agent already serves ${MAX_AGENT_SUBSCRIPTIONS} subscriptions; close some views and retry` };
    }
    const query = compileQuery(spec.query);
    if (!query.ok) return query;
    this.streams.set(subId, { types: new Set(spec.types), match: query.match, pending: [], dropped: 0 });
    return { ok: true };
  }

  close(subId: string): void {
    this.streams.delete(subId);
  }

  closeAll(): void {
    this.streams.clear();
  }

  stop(): void {
    clearInterval(this.timer);
    this.unsubscribe();
    this.streams.clear();
  }

  private offer(event: FlowEvent, entry: MirrorEntry): void {
    let wire: WireEvent | undefined;
    for (const stream of this.streams.values()) {
      if (!stream.types.has(event.type) || !stream.match(event.flow)) continue;
      if (stream.pending.length >= this.perBatch) {
        stream.dropped++;
        continue;
      }
      wire ??= { type: event.type, at: entry.seenAt, flow: toWireFlow(entry, entry.seenAt) };
      stream.pending.push(wire);
    }
  }

  flush(now = Date.now()): void {
    for (const [subId, stream] of this.streams) {
      if (stream.pending.length === 0 && stream.dropped === 0) continue;
      const batch: EventBatch = { events: stream.pending, dropped: stream.dropped, at: now };
      stream.pending = [];
      stream.dropped = 0;
      this.push(subId, batch);
    }
  }
}
