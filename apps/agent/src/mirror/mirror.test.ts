import type { ConntrackSource, Flow, FlowEvent, SubscribeHandlers } from '@ctscope/conntrack';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Mirror } from './mirror';

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
  duringDump: FlowEvent[] = [];
  async dump(): Promise<Flow[]> {
    const snapshot = [...this.table];
    for (const event of this.duringDump.splice(0)) this.handlers?.onEvent(event);
    await this.dumpGate;
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
  subscribe(_options: unknown, handlers: SubscribeHandlers) {
    this.handlers = handlers;
    return { close: () => (this.handlers = null) };
  }
  close() {}
}

const logger = pino({ level: 'silent' });
const keysOf = (mirror: Mirror) => [...mirror.values()].map((e) => e.flow.id).sort();

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
    source.handlers?.onOverrun({ overruns: 1 });
    await new Promise((r) => setTimeout(r, 10));
    expect(keysOf(mirror)).toEqual([2, 4]);
    expect(mirror.getHealth()).toMatchObject({ overruns: 1, resyncs: 2, lastResync: { reason: 'overrun', entries: 2 } });
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
});
