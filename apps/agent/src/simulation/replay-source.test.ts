import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Flow, FlowEvent } from '@ctscope/conntrack';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseRecording, serializeRecording, type Recording } from './recording';
import { ReplaySource } from './replay-source';
import { shiftAddress } from './shift-addresses';

const RECORDING_FILE = fileURLToPath(new URL('../../../../bench/fleet/recording.json.gz', import.meta.url));

const udp = (sport: number, id: number): Flow => ({
  family: 'ipv4',
  proto: 'udp',
  protoNum: 17,
  orig: { src: '127.0.0.1', dst: '127.0.0.2', protoNum: 17, sport, dport: 53 },
  reply: { src: '127.0.0.2', dst: '127.0.0.1', protoNum: 17, sport: 53, dport: sport },
  status: ['CONFIRMED'],
  statusBits: 8,
  id,
  countersOrig: { packets: 1n, bytes: 60n },
});

/** A 1 s recording: one entry at the start; a NEW at 100 ms, its UPDATE at 300 ms, the first entry DESTROYed at 600 ms. */
const tiny = (): Recording => ({
  recordedAt: '2026-11-25T00:00:00.000Z',
  kernel: '6.1.0-test',
  durationMs: 1_000,
  maxEntries: 100,
  dump: [udp(1000, 1)],
  events: [
    { at: 100, type: 'NEW', flow: udp(2000, 2) },
    { at: 300, type: 'UPDATE', flow: { ...udp(2000, 2), status: ['SEEN_REPLY', 'CONFIRMED'], statusBits: 10 } },
    { at: 600, type: 'DESTROY', flow: udp(1000, 1) },
  ],
  stats: [
    { at: 0, cpu: [{ cpu: 0, found: 10, insert: 5 }] },
    { at: 500, cpu: [{ cpu: 0, found: 14, insert: 6 }] },
    { at: 1_000, cpu: [{ cpu: 0, found: 20, insert: 8 }] },
  ],
});

function follow(source: ReplaySource): FlowEvent[] {
  const seen: FlowEvent[] = [];
  source.subscribe({ events: ['NEW', 'UPDATE', 'DESTROY'] }, { onEvent: (e) => seen.push(e), onOverrun: () => undefined });
  return seen;
}

const ports = async (source: ReplaySource) => (await source.dump()).map((f) => f.orig.sport).sort();

describe('ReplaySource', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it('plays the recorded events in order with their timing, the table following them', async () => {
    const source = new ReplaySource(tiny(), { host: 3 });
    const seen = follow(source);
    expect(await ports(source)).toEqual([1000]);
    await vi.advanceTimersByTimeAsync(99);
    expect(seen).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen.map((e) => e.type)).toEqual(['NEW']);
    await vi.advanceTimersByTimeAsync(250);
    expect(seen.map((e) => e.type)).toEqual(['NEW', 'UPDATE']);
    expect(await ports(source)).toEqual([1000, 2000]);
    expect((await source.globalStats()).entries).toBe(2);
    await vi.advanceTimersByTimeAsync(300);
    expect(seen.map((e) => e.type)).toEqual(['NEW', 'UPDATE', 'DESTROY']);
    expect(await ports(source)).toEqual([2000]);
    expect(await source.count()).toBe(1);
    expect((await source.dump())[0]?.status).toEqual(['SEEN_REPLY', 'CONFIRMED']);
    source.close();
  });

  it('wraps around: the table returns to the recorded dump and the next pass replays the same traffic', async () => {
    const source = new ReplaySource(tiny(), { host: 0 });
    const seen = follow(source);
    await vi.advanceTimersByTimeAsync(1_000);
    // End of pass 1: 2000 (not in the dump) destroyed, 1000 (in the dump) back.
    expect(seen.slice(3).map((e) => `${e.type} ${e.flow.orig.sport}`)).toEqual(['DESTROY 2000', 'NEW 1000']);
    expect(await ports(source)).toEqual([1000]);
    await vi.advanceTimersByTimeAsync(100);
    expect(seen.at(-1)).toMatchObject({ type: 'NEW', flow: { orig: { sport: 2000 } } });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(seen.filter((e) => e.type === 'UPDATE')).toHaveLength(3);
    source.close();
  });

  it('keeps per-CPU counters growing across passes, as the kernel would', async () => {
    const source = new ReplaySource(tiny(), { host: 0 });
    expect(await source.cpuStats()).toEqual([{ cpu: 0, found: 10, insert: 5 }]);
    await vi.advanceTimersByTimeAsync(600);
    expect(await source.cpuStats()).toEqual([{ cpu: 0, found: 14, insert: 6 }]);
    await vi.advanceTimersByTimeAsync(1_000); // pass 2, 600 ms in: one pass (+10 found, +3 insert) added
    expect(await source.cpuStats()).toEqual([{ cpu: 0, found: 24, insert: 9 }]);
    source.close();
  });

  it('starts part way through the recording with the table as it stood then', async () => {
    const source = new ReplaySource(tiny(), { host: 0, startAtMs: 400 });
    const seen = follow(source);
    expect(await ports(source)).toEqual([1000, 2000]);
    await vi.advanceTimersByTimeAsync(200);
    expect(seen.map((e) => `${e.type} ${e.flow.orig.sport}`)).toEqual(['DESTROY 1000']);
    source.close();
  });

  it('shifts addresses so each simulated host has its own, the same flows otherwise', async () => {
    const a = new ReplaySource(tiny(), { host: 1 });
    const b = new ReplaySource(tiny(), { host: 258 });
    const [fa] = await a.dump();
    const [fb] = await b.dump();
    expect([fa?.orig.src, fa?.orig.dst, fa?.reply.src]).toEqual(['10.0.1.1', '10.0.1.2', '10.0.1.2']);
    expect([fb?.orig.src, fb?.orig.dst]).toEqual(['10.1.2.1', '10.1.2.2']);
    expect(fa?.orig.sport).toBe(fb?.orig.sport);
    expect(shiftAddress('::1', 26)).toBe('fd00:c7:1a::1');
    a.close();
    b.close();
  });

  it('deletes and flushes act on the replayed table, announced as DESTROY events; later updates of deleted entries are not replayed', async () => {
    const source = new ReplaySource(tiny(), { host: 0 });
    const seen = follow(source);
    await vi.advanceTimersByTimeAsync(150);
    const [entry] = (await source.dump()).filter((f) => f.orig.sport === 2000);
    expect(await source.deleteFlows([entry as Flow, entry as Flow])).toBe(1);
    expect(seen.at(-1)).toMatchObject({ type: 'DESTROY', flow: { orig: { sport: 2000 } } });
    await vi.advanceTimersByTimeAsync(200); // the recorded UPDATE of the deleted entry
    expect(await ports(source)).toEqual([1000]);
    expect(seen.filter((e) => e.type === 'UPDATE')).toHaveLength(0);
    await source.flush();
    expect(await source.count()).toBe(0);
    expect(seen.at(-1)).toMatchObject({ type: 'DESTROY', flow: { orig: { sport: 1000 } } });
    source.close();
  });

  it('never holds more than the recorded table limit (bounded memory)', async () => {
    const recording = tiny();
    recording.maxEntries = 1;
    const source = new ReplaySource(recording, { host: 0 });
    await vi.advanceTimersByTimeAsync(5_500);
    expect(await source.count()).toBeLessThanOrEqual(1);
    source.close();
  });

  it('stops replaying once closed', async () => {
    const source = new ReplaySource(tiny(), { host: 0 });
    const seen = follow(source);
    source.close();
    await vi.advanceTimersByTimeAsync(3_000);
    expect(seen).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('recording files', () => {
  it('round-trip through the file form, bigints included', () => {
    const back = parseRecording(serializeRecording(tiny()));
    expect(back).toEqual(tiny());
  });

  it('refuse malformed content with the field named', () => {
    expect(() => parseRecording(Buffer.from(JSON.stringify({ version: 1 })))).toThrow(/not a ctscope recording/);
    const wrongAddress = tiny();
    (wrongAddress.dump[0] as Flow).orig.sport = 70_000;
    expect(() => parseRecording(serializeRecording(wrongAddress))).toThrow(/dump\.0\.orig\.sport/);
  });

  it('the committed recording of real kernel traffic replays: every recorded event type, entries of both families', () => {
    const recording = parseRecording(readFileSync(RECORDING_FILE));
    expect(recording.dump.length).toBeGreaterThan(10);
    expect(new Set(recording.events.map((e) => e.type))).toEqual(new Set(['NEW', 'UPDATE', 'DESTROY']));
    expect(new Set(recording.dump.map((f) => f.family))).toEqual(new Set(['ipv4', 'ipv6']));
    const source = new ReplaySource(recording, { host: 9 });
    return source.dump().then((flows) => {
      expect(flows.every((f) => f.orig.src.startsWith('10.0.9.') || f.orig.src.startsWith('fd00:c7:9::'))).toBe(true);
      source.close();
    });
  });
});
