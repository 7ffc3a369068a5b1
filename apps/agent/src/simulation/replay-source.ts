import type { ConntrackSource, CpuStats, EventType, Flow, FlowEvent, GlobalStats, KernelDumpFilter, SubscribeHandlers, SubscribeOptions, Subscription, TableName } from '@ctscope/conntrack';
import { CPU_STAT_KEYS } from '@ctscope/conntrack';
import { flowKey } from '../mirror/flow-key';
import type { Recording } from './recording';
import { MAX_SIMULATED_HOSTS, shiftFlow } from './shift-addresses';

export interface ReplayOptions {
  /** Which simulated host this is (0..65535): its addresses are shifted into a range of its own. */
  host: number;
  /** Where in the recording to start (ms), so simulated hosts do not all beat in step. Default 0. */
  startAtMs?: number;
  now?: () => number;
}

interface Listener {
  types: ReadonlySet<EventType>;
  handlers: SubscribeHandlers;
}

/** A recording shorter than this would make the replay loop spin. */
const MIN_DURATION_MS = 100;

const matchesFilter = (flow: Flow, filter: KernelDumpFilter | undefined): boolean =>
  !filter ||
  ((filter.family === undefined || flow.family === filter.family) &&
    (filter.zone === undefined || (flow.zone ?? 0) === filter.zone) &&
    (filter.mark === undefined || ((flow.mark ?? 0) & filter.mark.mask) === filter.mark.value) &&
    (filter.status === undefined || (flow.statusBits & filter.status.mask) === filter.status.value));

/**
 * A simulated kernel table for the fleet simulation (never a real host): plays a recording of real kernel
 * traffic in a loop with its timing, addresses shifted into this host's range. The table follows the
 * events; at the end of each pass it returns to the recorded dump (the difference sent as DESTROY and NEW
 * events, like the kernel would), so every pass replays the same traffic. Counters of `-S` keep growing
 * across passes. Deletes and flushes act on this table only. Memory: one table, at most `maxEntries`.
 */
export class ReplaySource implements ConntrackSource {
  readonly kind = 'replay';
  private readonly table = new Map<string, Flow>();
  private readonly listeners = new Set<Listener>();
  private readonly startDump: Map<string, Flow>;
  private readonly now: () => number;
  private readonly startedAt: number;
  private readonly cycleSpan: CpuStats[];
  /** Index of the next recorded event and the pass it belongs to. */
  private next = 0;
  private pass = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly recording: Recording,
    private readonly options: ReplayOptions,
  ) {
    if (!Number.isInteger(options.host) || options.host < 0 || options.host >= MAX_SIMULATED_HOSTS) throw new Error(`simulated host number must be 0..${MAX_SIMULATED_HOSTS - 1}`);
    if (recording.durationMs < MIN_DURATION_MS) throw new Error(`a recording must last at least ${MIN_DURATION_MS} ms`);
    this.now = options.now ?? Date.now;
    this.startDump = new Map(recording.dump.slice(0, recording.maxEntries).map((f) => shiftFlow(f, options.host)).map((f) => [flowKey(f), f]));
    for (const [key, flow] of this.startDump) this.table.set(key, flow);
    const first = recording.stats[0]?.cpu ?? [];
    const last = recording.stats.at(-1)?.cpu ?? [];
    this.cycleSpan = last.map((row) => subtractCounters(row, first.find((r) => r.cpu === row.cpu)));
    const startAt = Math.min(Math.max(0, options.startAtMs ?? 0), recording.durationMs - 1);
    // Fast-forward silently to the starting point: the table is what the kernel held at that moment.
    while (this.next < recording.events.length && (recording.events[this.next]?.at ?? 0) < startAt) this.apply(recording.events[this.next++] as Recording['events'][number], false);
    this.startedAt = this.now() - startAt;
    this.schedule();
  }

  /** Milliseconds since the start of the recording, on the current pass. */
  private position(): number {
    return this.now() - this.startedAt - this.pass * this.recording.durationMs;
  }

  private schedule(): void {
    if (this.closed) return;
    const due = this.next < this.recording.events.length ? (this.recording.events[this.next]?.at ?? 0) : this.recording.durationMs;
    this.timer = setTimeout(() => this.advance(), Math.max(0, due - this.position()));
    this.timer.unref();
  }

  /** Plays every event that is due, wrapping to the next pass at the end of the recording. */
  private advance(): void {
    const { events, durationMs } = this.recording;
    for (;;) {
      const position = this.position();
      while (this.next < events.length && (events[this.next]?.at ?? 0) <= position) this.apply(events[this.next++] as Recording['events'][number], true);
      if (position < durationMs) break;
      this.returnToDump();
      this.pass++;
      this.next = 0;
    }
    this.schedule();
  }

  private apply(recorded: Recording['events'][number], notify: boolean): void {
    const flow = shiftFlow(recorded.flow, this.options.host);
    const key = flowKey(flow);
    if (recorded.type === 'DESTROY') {
      if (!this.table.delete(key)) return;
    } else if (recorded.type === 'UPDATE') {
      if (!this.table.has(key)) return; // deleted by a user meanwhile: the kernel would not update it
      this.table.set(key, flow);
    } else {
      if (!this.table.has(key) && this.table.size >= this.recording.maxEntries) return; // table full: dropped
      this.table.set(key, flow);
    }
    if (notify) this.notify({ type: recorded.type, flow });
  }

  private returnToDump(): void {
    for (const [key, flow] of this.table) {
      if (this.startDump.has(key)) continue;
      this.table.delete(key);
      this.notify({ type: 'DESTROY', flow });
    }
    for (const [key, flow] of this.startDump) {
      if (this.table.has(key)) continue;
      this.table.set(key, flow);
      this.notify({ type: 'NEW', flow });
    }
  }

  private notify(event: FlowEvent): void {
    for (const listener of this.listeners) if (listener.types.has(event.type)) listener.handlers.onEvent(event);
  }

  dump(filter?: KernelDumpFilter, table: TableName = 'conntrack'): Promise<Flow[]> {
    if (table !== 'conntrack') return Promise.resolve([]);
    return Promise.resolve([...this.table.values()].filter((flow) => matchesFilter(flow, filter)));
  }

  count(): Promise<number> {
    return Promise.resolve(this.table.size);
  }

  globalStats(): Promise<GlobalStats> {
    return Promise.resolve({ entries: this.table.size, maxEntries: this.recording.maxEntries });
  }

  /** The recorded per-CPU counters at this point of the pass, plus what every earlier pass added. */
  cpuStats(): Promise<CpuStats[]> {
    const position = this.position();
    let sample = this.recording.stats[0];
    for (const s of this.recording.stats) {
      if (s.at > position) break;
      sample = s;
    }
    return Promise.resolve((sample?.cpu ?? []).map((row) => addCounters(row, this.cycleSpan.find((r) => r.cpu === row.cpu), this.pass)));
  }

  subscribe(options: SubscribeOptions, handlers: SubscribeHandlers): Subscription {
    const listener: Listener = { types: new Set(options.events), handlers };
    this.listeners.add(listener);
    return { close: () => void this.listeners.delete(listener) };
  }

  deleteFlows(flows: readonly Flow[]): Promise<number> {
    let deleted = 0;
    for (const flow of flows) {
      const key = flowKey(flow);
      const entry = this.table.get(key);
      if (!entry) continue;
      this.table.delete(key);
      deleted++;
      this.notify({ type: 'DESTROY', flow: entry });
    }
    return Promise.resolve(deleted);
  }

  flush(): Promise<void> {
    for (const flow of this.table.values()) this.notify({ type: 'DESTROY', flow });
    this.table.clear();
    return Promise.resolve();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.listeners.clear();
  }
}

function subtractCounters(row: CpuStats, base: CpuStats | undefined): CpuStats {
  const out: CpuStats = { cpu: row.cpu };
  for (const key of CPU_STAT_KEYS) if (row[key] !== undefined) out[key] = Math.max(0, row[key] - (base?.[key] ?? 0));
  return out;
}

function addCounters(row: CpuStats, span: CpuStats | undefined, times: number): CpuStats {
  const out: CpuStats = { cpu: row.cpu };
  for (const key of CPU_STAT_KEYS) if (row[key] !== undefined) out[key] = row[key] + (span?.[key] ?? 0) * times;
  return out;
}
