import type { WindowResult, WindowSpec } from '@ctscope/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FlowTable } from '../mirror/flow-table';
import type { MirrorChange } from '../mirror/mirror';
import { entry, tableOf } from '../query/testing/entries';
import { WINDOW_PUSH_INTERVAL_MS, WINDOW_REFRESH_MS, WindowSubscriptions } from './window-subscriptions';

/** A mirror as the windows see it: its table, and a way to say it changed. */
function fakeMirror(table: FlowTable) {
  const listeners = new Set<(change: MirrorChange) => void>();
  return {
    table,
    onChange: (listener: (change: MirrorChange) => void) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    changed: () => listeners.forEach((l) => l({ upserted: 1, removed: 0 })),
  };
}

const spec = (query: string, offset = 0): WindowSpec => ({ query, sort: { column: 'timeout', desc: true }, offset, limit: 10 });
const opened = (answer: ReturnType<WindowSubscriptions['open']>): WindowResult => {
  if (!answer.ok) throw new Error(answer.message);
  return answer.result;
};

describe('WindowSubscriptions', () => {
  const table = tableOf([
    entry({ src: '10.0.0.1', dst: '10.0.1.1', dport: 53, proto: 'udp', id: 1, timeout: 30, seenAt: 1_000_000 }),
    entry({ src: '10.0.0.2', dst: '10.0.1.1', dport: 443, id: 2, state: 'ESTABLISHED', timeout: 300, seenAt: 1_000_000 }),
  ]);
  let mirror: ReturnType<typeof fakeMirror>;
  let pushes: { subId: string; result: WindowResult }[];
  let windows: WindowSubscriptions;

  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
    mirror = fakeMirror(table);
    pushes = [];
    windows = new WindowSubscriptions(mirror, (subId, result) => pushes.push({ subId, result }));
  });
  afterEach(() => {
    windows.stop();
    vi.useRealTimers();
  });

  it('answers a window asking what an open one asks from that one, while it is fresh', () => {
    const first = opened(windows.open('a', spec('udp')));
    vi.advanceTimersByTime(100);
    // The same filter typed differently is the same window.
    const second = opened(windows.open('b', spec('  udp ')));
    expect(second).toBe(first);
    expect(second.rows.map((r) => r.id)).toEqual([1]);
    // A different slice, sort or filter is computed on its own.
    expect(opened(windows.open('c', spec('udp', 1)))).not.toBe(first);
    expect(opened(windows.open('d', spec('tcp'))).rows.map((r) => r.id)).toEqual([2]);
  });

  it('computes again once the table changed and a push interval passed, or a refresh period', () => {
    const first = opened(windows.open('a', spec('')));
    mirror.changed();
    // Within one push interval of a change, a viewer of the open window is no further behind.
    expect(opened(windows.open('b', spec('')))).toBe(first);
    windows.close('b');
    vi.setSystemTime(Date.now() + WINDOW_PUSH_INTERVAL_MS - 1);
    mirror.changed();
    vi.setSystemTime(Date.now() + 1);
    const afterChange = opened(windows.open('b', spec('')));
    expect(afterChange).not.toBe(first);
    expect(afterChange.at).toBe(first.at + WINDOW_PUSH_INTERVAL_MS);
    expect(afterChange.rows).toEqual(first.rows);
    windows.close('b');
    windows.close('a');
    // Without a change, timeouts still count down: the content is shared until the tick that refreshes
    // the open window (a refresh period and a push interval), then computed again.
    const quiet = opened(windows.open('a', spec('')));
    vi.setSystemTime(Date.now() + WINDOW_REFRESH_MS + WINDOW_PUSH_INTERVAL_MS - 1);
    expect(opened(windows.open('b', spec('')))).toBe(quiet);
    windows.close('b');
    vi.setSystemTime(Date.now() + 1);
    const later = opened(windows.open('b', spec('')));
    expect(later).not.toBe(quiet);
    expect(later.rows.map((r) => r.timeout)).toEqual(quiet.rows.map((r) => (r.timeout ?? 0) - 1));
  });

  it('computes each distinct window once per refresh and pushes it to every viewer of it', () => {
    opened(windows.open('a', spec('')));
    opened(windows.open('b', spec(' ')));
    opened(windows.open('c', spec('udp')));
    vi.setSystemTime(Date.now() + 1_000);
    // Timeouts counted down a second: every window changed.
    vi.advanceTimersByTime(WINDOW_PUSH_INTERVAL_MS);
    expect(pushes.map((p) => p.subId).sort()).toEqual(['a', 'b', 'c']);
    const [a, b] = ['a', 'b'].map((id) => pushes.find((p) => p.subId === id)?.result);
    expect(a).toBeDefined();
    expect(b).toBe(a);
    expect(pushes.find((p) => p.subId === 'c')?.result).not.toBe(a);
  });
});
