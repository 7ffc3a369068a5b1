import { Readable } from 'node:stream';
import type { SnapshotFlow } from '@ctscope/protocol';
import { readSnapshot } from '@ctscope/protocol/snapshot-file';
import { describe, expect, it } from 'vitest';
import { FlowTable } from '../mirror/flow-table';
import { entry } from '../query/testing/entries';
import { LiveSnapshots, withStoredHistory, type ChunkSend } from './live-snapshot';

// Addresses and ports that gzip cannot squeeze much: the file spans several 256 KiB chunks.
const flowOf = (id: number) =>
  entry({ src: `10.${(id * 7919) % 251}.${(id * 104_729) % 253}.${id % 254}`, dst: `172.16.${(id * 31) % 255}.${(id * 17) % 255}`, sport: 1024 + ((id * 7_817) % 60_000), dport: id % 3 === 0 ? 53 : 443, proto: id % 3 === 0 ? 'udp' : 'tcp', id, timeout: 100 + (id % 5_000) }).flow;

function tableOf(n: number): FlowTable {
  const table = new FlowTable();
  for (let id = 1; id <= n; id++) table.set(flowOf(id), Date.now(), true);
  return table;
}

const stats = { globalStats: () => Promise.resolve({ entries: 0, maxEntries: 262_144 }), cpuStats: () => Promise.resolve([]) };
const providers = { statsHistory: () => [], composition: () => [{ at: 1, total: 3 }], alerts: () => [] };

async function readBack(chunks: Buffer[]) {
  const flows: SnapshotFlow[] = [];
  const contents = await readSnapshot(Readable.from([Buffer.concat(chunks)]), (f) => flows.push(f));
  return { ...contents, ids: flows.map((f) => f.id ?? -1) };
}

const request = (query = '', maxBytes = 2 ** 30) => ({ snapId: 'a'.repeat(24), query, maxBytes });

describe('snapshots of the live table, sent in acknowledged chunks', { timeout: 60_000 }, () => {
  it('sends every matching entry once, a chunk at a time, even while the table changes between batches', async () => {
    const table = tableOf(40_000);
    const snapshots = new LiveSnapshots({ table: () => table, stats, providers });
    const chunks: Buffer[] = [];
    const deleted = new Set<number>();
    let inFlight = 0;
    const send: ChunkSend = async (seq, data) => {
      expect(seq).toBe(chunks.length);
      expect(++inFlight).toBe(1);
      chunks.push(Buffer.from(data));
      // Entries end while the snapshot is being made: the rows move (the last row takes a removed one's place).
      for (let id = 1 + seq * 997; id <= 40_000 && deleted.size < 6_000; id += 7) if (table.delete(flowOf(id))) deleted.add(id);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return true;
    };
    const answer = await snapshots.make(request(), send);
    expect(answer).toMatchObject({ ok: true });
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    expect(chunks.every((c) => c.length <= 256 * 1024)).toBe(true);
    const back = await readBack(chunks);
    expect(answer.ok && answer.data).toMatchObject({ flows: back.flows, bytes: chunks.reduce((n, c) => n + c.length, 0) });
    expect(new Set(back.ids).size).toBe(back.ids.length); // none twice
    const kept = table.entries().map((e) => e.flow.id ?? 0);
    expect(back.ids.filter((id) => !deleted.has(id)).sort((a, b) => a - b)).toEqual([...kept].sort((a, b) => a - b)); // every entry that lived through it, once
    expect(deleted.size).toBeGreaterThan(1_000);
    expect(back.ids.length).toBeLessThan(40_000); // some ended before they were written, and are left out
    expect(back.sections.meta).toMatchObject({ via: 'agent', filter: null });
    expect(back.sections.composition).toEqual([{ at: 1, total: 3 }]);
  });

  it('writes only the filtered entries', async () => {
    const table = tableOf(3_000);
    const chunks: Buffer[] = [];
    const answer = await new LiveSnapshots({ table: () => table, stats, providers }).make(request('udp dport:53'), async (_seq, data) => (chunks.push(Buffer.from(data)), true));
    expect(answer).toMatchObject({ ok: true, data: { flows: 1_000 } });
    const back = await readBack(chunks);
    expect(back.ids.every((id) => id % 3 === 0)).toBe(true);
    expect(back.sections.meta.filter).toBe('udp dport:53');
  });

  it('stops when the dashboard refuses a chunk, when one is not answered, and past the size cap; one at a time; bad filters refused', async () => {
    const table = tableOf(40_000);
    const snapshots = new LiveSnapshots({ table: () => table, stats, providers });
    let sent = 0;
    const cancelled = await snapshots.make(request(), async (seq) => (sent++, seq < 1));
    expect(cancelled).toMatchObject({ ok: false, code: 'UNAVAILABLE' });
    expect(sent).toBe(2);

    expect(await snapshots.make(request(), () => Promise.reject(new Error('timeout')))).toMatchObject({ ok: false, code: 'TIMEOUT' });
    expect(await snapshots.make(request('', 300_000), async () => true)).toMatchObject({ ok: false, code: 'BAD_REQUEST', message: expect.stringMatching(/larger than/) as unknown });
    expect(await snapshots.make(request('dport:99999'), async () => true)).toMatchObject({ ok: false, code: 'BAD_REQUEST', message: expect.stringMatching(/99999/) as unknown });

    let release: () => void = () => undefined;
    const first = snapshots.make(request(), () => new Promise<boolean>((resolve) => (release = () => resolve(false))));
    await new Promise((r) => setTimeout(r, 50));
    expect(await snapshots.make(request(), async () => true)).toMatchObject({ ok: false, code: 'CONFLICT' });
    await new Promise((r) => setTimeout(r, 2_000));
    release();
    expect(await first).toMatchObject({ ok: false });
  });

  it('takes the dashboard\'s stored points from before the agent\'s own (an agent restarted within the hour)', () => {
    const point = (at: number) => ({ at, count: at, max: 100, totals: { found: 0, invalid: 0, insert: 0, insert_failed: 0, drop: 0, early_drop: 0, error: 0, search_restart: 0, clash_resolve: 0, chaintoolong: 0 } }) as never;
    const own = [point(100), point(101)];
    expect(withStoredHistory(own, [point(10), point(20), point(100), point(105)]).map((p: { at: number }) => p.at)).toEqual([10, 20, 100, 101]);
    expect(withStoredHistory([], [point(10)]).map((p: { at: number }) => p.at)).toEqual([10]);
    expect(withStoredHistory(Array.from({ length: 3_600 }, (_, i) => point(1_000 + i)), [point(1)])).toHaveLength(3_600);
  });
});
