import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { NetnsCounter, WIRE_NETNS } from './counter';
import type { Discovery } from './discover';

const logger = pino({ level: 'silent' });

function fixture(n: number): Discovery {
  const namespaces = Array.from({ length: n }, (_, i) => ({ netns: String(4026532000 + i), path: `/proc/${100 + i}/ns/net`, name: `ns${i}`, source: 'process' as const }));
  return { namespaces, seen: n, truncated: false };
}

describe('NetnsCounter', () => {
  it('skips namespaces that vanished or whose pid now holds another namespace; counts unreadable ones apart', async () => {
    const counter = new NetnsCounter({
      logger,
      discover: () => fixture(5),
      count: (paths) =>
        Promise.resolve({
          threadCpuSeconds: 0.002,
          counts: [
            { path: paths[0]!, ok: true, inode: 4026532000, entries: 5 },
            { path: paths[1]!, ok: false, inode: 0, errno: 2 }, // ENOENT: gone
            { path: paths[2]!, ok: false, inode: 0, errno: 3 }, // ESRCH: gone
            { path: paths[3]!, ok: true, inode: 4026539999, entries: 9 }, // pid reused
            { path: paths[4]!, ok: false, inode: 4026532004, errno: 1 }, // EPERM
          ],
        }),
    });
    const pass = await counter.pass();
    expect(pass.byNetns).toEqual([{ netns: '4026532000', name: 'ns0', source: 'process', entries: 5 }]);
    expect(pass.unreadable).toBe(1);
    expect(pass.cpuMs).toBeGreaterThanOrEqual(2);
  });

  it('spaces passes by 50 times their CPU, at least 10 s', async () => {
    let cpu = 0.001;
    const counter = new NetnsCounter({ logger, discover: () => fixture(1), count: (paths) => Promise.resolve({ threadCpuSeconds: cpu, counts: [{ path: paths[0]!, ok: true, inode: 4026532000, entries: 1 }] }) });
    expect((await counter.pass()).nextInMs).toBe(10_000);
    cpu = 0.4;
    const pass = await counter.pass();
    expect(pass.nextInMs).toBe(Math.ceil(pass.cpuMs * 50));
    expect(pass.nextInMs).toBeGreaterThanOrEqual(20_000);
  });

  it('sorts by entries and sends the top namespaces with the rest summed', async () => {
    const n = WIRE_NETNS + 10;
    const counter = new NetnsCounter({
      logger,
      discover: () => fixture(n),
      count: (paths) => Promise.resolve({ threadCpuSeconds: 0, counts: paths.map((path, i) => ({ path, ok: true as const, inode: 4026532000 + i, entries: i })) }),
    });
    expect(counter.summary()).toBeNull();
    expect(counter.byNetns()).toEqual([]);
    await counter.pass();
    const summary = counter.summary();
    expect(summary?.byNetns).toHaveLength(WIRE_NETNS);
    expect(summary?.byNetns[0]).toEqual({ netns: String(4026532000 + n - 1), name: `ns${n - 1}`, source: 'process', entries: n - 1 });
    expect(summary?.others).toEqual({ namespaces: 10, entries: 45 });
    expect(counter.byNetns()).toHaveLength(n);
  });
});
