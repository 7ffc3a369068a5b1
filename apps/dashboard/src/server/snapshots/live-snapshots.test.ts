import { describe, expect, it } from 'vitest';
import { LiveSnapshots } from './live-snapshots';

const chunk = (snapId: string, seq: number, data: Uint8Array = new Uint8Array([1, 2, 3])) => ({ snapId, seq, data });

function admitted(streams: LiveSnapshots, hostId: string, user = 'ann'): string {
  const admission = streams.admit(hostId, user);
  if (!admission.ok) throw new Error(admission.message);
  return admission.snapId;
}

describe('live snapshot downloads', () => {
  it('one at a time per host, a few a minute per user', () => {
    const streams = new LiveSnapshots({ perUserPerMinute: 2 });
    const first = admitted(streams, 'gw1', 'ann');
    expect(first).toMatch(/^[0-9a-f]{24}$/);
    expect(streams.admit('gw1', 'bob')).toMatchObject({ ok: false, status: 409, code: 'CONFLICT' });
    streams.close(first, 'gw1');
    admitted(streams, 'gw1', 'ann');
    const third = streams.admit('gw2', 'ann', Date.now());
    expect(third).toMatchObject({ ok: false, status: 429, code: 'RATE_LIMITED' });
    expect(third.ok === false && third.retryAfterMs).toBeGreaterThan(0);
    expect(streams.admit('gw2', 'ann', Date.now() + 61_000).ok).toBe(true);
    expect(streams.admit('gw3', 'bob').ok).toBe(true);
  });

  it('writes chunks in order from the host asked, and refuses everything else', async () => {
    const streams = new LiveSnapshots();
    const snapId = admitted(streams, 'gw1');
    const written: number[][] = [];
    let progress = 0;
    streams.open(snapId, 'gw1', async (data) => void written.push([...data]), () => progress++);
    expect(await streams.chunk('gw1', chunk(snapId, 0))).toEqual({ ok: true, data: {} });
    // Another host's agent cannot write into this download.
    expect(await streams.chunk('gw2', chunk(snapId, 1))).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(await streams.chunk('gw1', { snapId, seq: 1, data: 'text' })).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
    expect(await streams.chunk('gw1', chunk(snapId, 1, new Uint8Array(256 * 1024 + 1)))).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
    expect(await streams.chunk('gw1', chunk(snapId, 1))).toEqual({ ok: true, data: {} });
    // A gap stops it.
    expect(await streams.chunk('gw1', chunk(snapId, 3))).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
    expect(await streams.chunk('gw1', chunk(snapId, 2))).toMatchObject({ ok: false, code: 'UNAVAILABLE' });
    expect(written).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
    expect(progress).toBe(2);
  });

  it('acknowledges a chunk only once it is written, and refuses the next once the browser went away', async () => {
    const streams = new LiveSnapshots();
    const snapId = admitted(streams, 'gw1');
    let release = () => undefined as void;
    streams.open(snapId, 'gw1', () => new Promise<void>((resolve) => (release = resolve)), () => undefined);
    let acked = false;
    const answer = streams.chunk('gw1', chunk(snapId, 0)).then((a) => ((acked = true), a));
    await new Promise((r) => setTimeout(r, 20));
    expect(acked).toBe(false);
    release();
    expect(await answer).toEqual({ ok: true, data: {} });
    streams.stop(snapId, 'the browser went away (download cancelled)');
    expect(await streams.chunk('gw1', chunk(snapId, 1))).toEqual({ ok: false, code: 'UNAVAILABLE', message: 'the browser went away (download cancelled)' });
    streams.close(snapId, 'gw1');
    expect(await streams.chunk('gw1', chunk(snapId, 2))).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(streams.admit('gw1', 'bob').ok).toBe(true);
  });
});
