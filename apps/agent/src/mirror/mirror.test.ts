import type { ConntrackSource, Flow, FlowEvent, SubscribeHandlers } from '@ctscope/conntrack';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Mirror, RECONCILE_COST_FACTOR } from './mirror';

function flow(id: number, sport: number): Flow {
  return {
    family: 'ipv4',
    proto: 'udp',
    protoNum: 17,
    orig: { src: '10.0.0.1', dst: '10.0.0.2', protoNum: 17, sport, dport: 53 },
    reply: { src: '10.0.0.2', dst: '10.0.0.1', protoNum: 17, sport: 53, dport: sport },
    status: [],
    statusBits: 0,
    timeout: 30,
    id,
  } as Flow;
}

/** A scripted source: the test controls what dumps return and when events arrive. */
class ScriptedSource {
  readonly kind = 'cli' as const;
  table: Flow[] = [];
  handlers: SubscribeHandlers | null = null;
  dumpGate: Promise<void> = Promise.resolve();
  /** How long each dump takes. */
  dumpMs = 0;
  duringDump: FlowEvent[] = [];
  async dump(): Promise<Flow[]> {
    const snapshot = [...this.table];
    for (const event of this.duringDump.splice(0)) this.handlers?.onEvent(event);
    await this.dumpGate;
    if (this.dumpMs > 0) await new Promise((r) => setTimeout(r, this.dumpMs));
    return snapshot;
  }
  async count() {
    return this.table.length;
  }
  async globalStats() {
    return { entries: this.table.length, maxEntries: 1000 };
  }
  async cpuStats() {
    return [];
  }
  async deleteFlows(flows: readonly Flow[]) {
    const before = this.table.length;
    this.table = this.table.filter((f) => !flows.some((g) => g.id === f.id));
    return before - this.table.length;
  }
  async flush() {
    this.table = [];
  }
  subscribe(_options: unknown, handlers: SubscribeHandlers) {
    this.handlers = handlers;
    return { close: () => (this.handlers = null) };
  }
  close() {}
}

const logger = pino({ level: 'silent' });
const keysOf = (mirror: Mirror) => mirror.entries().map((e) => e.flow.id).sort();

describe('Mirror', () => {
  it('dumps, then follows events', async () => {
    const source = new ScriptedSource();
    source.table = [flow(1, 1001), flow(2, 1002)];
    const mirror = new Mirror(source as unknown as ConntrackSource, { logger });
    await mirror.start();
    expect(keysOf(mirror)).toEqual([1, 2]);
    source.handlers?.onEvent({ type: 'NEW', flow: flow(3, 1003) });
    source.handlers?.onEvent({ type: 'DESTROY', flow: flow(1, 1001) });
    expect(keysOf(mirror)).toEqual([2, 3]);
    expect(mirror.getHealth()).toMatchObject({ entries: 2, resyncs: 1, events: { NEW: 1, DESTROY: 1 } });
    mirror.stop();
  });

  it('replays events that arrive during a dump on top of it', async () => {
    const source = new ScriptedSource();
    source.table = [flow(1, 1001), flow(2, 1002)];
    // While the dump runs, entry 2 dies and entry 3 appears: the dump still shows 2, not 3.
    source.duringDump = [
      { type: 'DESTROY', flow: flow(2, 1002) },
      { type: 'NEW', flow: flow(3, 1003) },
    ];
    const mirror = new Mirror(source as unknown as ConntrackSource, { logger });
    await mirror.start();
    expect(keysOf(mirror)).toEqual([1, 3]);
    mirror.stop();
  });

  it('resyncs after an overrun and drops entries the kernel no longer has', async () => {
    const source = new ScriptedSource();
    source.table = [flow(1, 1001), flow(2, 1002)];
    const mirror = new Mirror(source as unknown as ConntrackSource, { logger });
    await mirror.start();
    source.table = [flow(2, 1002), flow(4, 1004)]; // events for these changes were lost
    source.handlers?.onOverrun({ overruns: 1, lostEvents: 37 });
    await new Promise((r) => setTimeout(r, 10));
    expect(keysOf(mirror)).toEqual([2, 4]);
    expect(mirror.getHealth()).toMatchObject({ overruns: 1, lostEvents: 37, resyncs: 2, lastResync: { reason: 'overrun', entries: 2 } });
    mirror.stop();
  });

  it('bounds the replay buffer and resyncs again when it overflows', async () => {
    const source = new ScriptedSource();
    source.table = [flow(1, 1001)];
    source.duringDump = Array.from({ length: 5 }, (_, i) => ({ type: 'NEW' as const, flow: flow(10 + i, 2000 + i) }));
    const mirror = new Mirror(source as unknown as ConntrackSource, { logger, maxBufferedEvents: 3 });
    await mirror.start();
    await new Promise((r) => setTimeout(r, 10));
    expect(mirror.getHealth().lastResync?.reason).toBe('buffer-full');
    expect(keysOf(mirror)).toEqual([1]);
    mirror.stop();
  });

  it('counts entries known only from dumps until an event or our own delete or flush accounts for them', async () => {
    const source = new ScriptedSource();
    source.table = [flow(1, 1001), flow(2, 1002), flow(3, 1003)];
    const mirror = new Mirror(source as unknown as ConntrackSource, { logger, checkIntervalMs: 3_600_000 });
    await mirror.start();
    expect(mirror.getHealth().eventless).toBe(3);
    source.handlers?.onEvent({ type: 'UPDATE', flow: flow(1, 1001) });
    source.handlers?.onEvent({ type: 'NEW', flow: flow(4, 1004) });
    expect(mirror.getHealth()).toMatchObject({ entries: 4, eventless: 2 });
    const changes: number[] = [];
    mirror.onChange((c) => changes.push(c.removed));
    expect(await mirror.deleteFlows([flow(2, 1002), flow(9, 1009)])).toBe(1);
    expect(keysOf(mirror)).toEqual([1, 3, 4]);
    expect(mirror.getHealth().eventless).toBe(1);
    expect(changes).toEqual([1]);
    // A flush: entry 3 will never send DESTROY and goes at once; 1 and 4 go with their events.
    await mirror.flush();
    expect(keysOf(mirror)).toEqual([1, 4]);
    expect(mirror.getHealth().eventless).toBe(0);
    mirror.stop();
  });

  it('re-reads the table while entries without events remain, never more than its cost allows, then stops', async () => {
    const source = new ScriptedSource();
    source.table = [flow(1, 1001), flow(2, 1002)];
    const mirror = new Mirror(source as unknown as ConntrackSource, { logger, checkIntervalMs: 5 });
    await mirror.start();
    // Entry 1 ends without an event (it predates the subscription): only a re-read can tell.
    source.table = [flow(2, 1002)];
    await expect.poll(() => keysOf(mirror), { timeout: 2_000 }).toEqual([2]);
    expect(mirror.getHealth().lastResync?.reason).toBe('eventless');

    // A slow dump spaces the re-reads out to RECONCILE_COST_FACTOR times its duration (500 ms here).
    source.dumpMs = 10;
    await expect.poll(() => mirror.getHealth().lastResync?.durationMs ?? 0, { timeout: 2_000 }).toBeGreaterThanOrEqual(9);
    const afterSlow = mirror.getHealth().resyncs;
    await new Promise((r) => setTimeout(r, (RECONCILE_COST_FACTOR * source.dumpMs) / 2));
    expect(mirror.getHealth().resyncs).toBe(afterSlow);
    await expect.poll(() => mirror.getHealth().resyncs, { timeout: 2_000 }).toBeGreaterThan(afterSlow);
    source.dumpMs = 0;

    // Once every entry has sent an event, the periodic check only compares counts.
    source.handlers?.onEvent({ type: 'UPDATE', flow: flow(2, 1002) });
    expect(mirror.getHealth().eventless).toBe(0);
    await mirror.settled();
    const settled = mirror.getHealth().resyncs;
    await new Promise((r) => setTimeout(r, 600));
    expect(mirror.getHealth().resyncs).toBe(settled);
    mirror.stop();
  });
});
