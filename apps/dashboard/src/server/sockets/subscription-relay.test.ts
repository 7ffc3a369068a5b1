import type { WindowResult, WindowSpec } from '@ctscope/protocol';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AgentLinks } from '../hosts/agent-links';
import { SubscriptionRelay, WINDOW_SHARE_WITHIN_MS } from './subscription-relay';

const spec = (query: string): WindowSpec => ({ query, sort: { column: 'timeout', desc: true }, offset: 0, limit: 120 });
const result = (total: number): WindowResult => ({ total, size: 1_000_000, offset: 0, rows: [], at: Date.now(), tookMs: 40 });

describe('SubscriptionRelay: the newest content of a window', () => {
  let relay: SubscriptionRelay;
  let pushed: { browserId: string; subId: string; result: WindowResult }[];

  beforeEach(() => {
    vi.useFakeTimers({ now: 5_000_000 });
    pushed = [];
    const links = { onConnected: () => () => undefined, notify: () => undefined } as unknown as AgentLinks;
    relay = new SubscriptionRelay(links, { window: (browserId, subId, r) => pushed.push({ browserId, subId, result: r }), events: () => undefined }, pino({ level: 'silent' }));
  });
  afterEach(() => vi.useRealTimers());

  const open = (browserId: string, hostId: string, s: WindowSpec) => {
    const added = relay.add({ kind: 'window', hostId, browserId, userId: 1, spec: s });
    if (!('subId' in added)) throw new Error('refused');
    return added.subId;
  };

  it('is offered for the same host and spec while as fresh as a push, from answers and pushes alike', () => {
    const a = open('tab-a', 'h1', spec(''));
    expect(relay.recentWindow('h1', spec(''))).toBeUndefined();
    const answered = result(1_000_000);
    relay.updateWindow(a, spec(''), answered);
    expect(relay.recentWindow('h1', spec(''))).toBe(answered);
    // Another host, another filter: nothing to share.
    expect(relay.recentWindow('h2', spec(''))).toBeUndefined();
    expect(relay.recentWindow('h1', spec('udp'))).toBeUndefined();
    vi.advanceTimersByTime(WINDOW_SHARE_WITHIN_MS + 1);
    expect(relay.recentWindow('h1', spec(''))).toBeUndefined();
    const fresher = result(999_999);
    relay.windowPushed('h1', a, fresher);
    expect(pushed.map((p) => p.result)).toEqual([fresher]);
    expect(relay.recentWindow('h1', spec(''))).toBe(fresher);
    // A push from another host for this subscription is not its content.
    relay.windowPushed('h2', a, result(5));
    expect(relay.recentWindow('h1', spec(''))).toBe(fresher);
  });

  it('follows the spec a window changed to, and forgets a closed window', () => {
    const a = open('tab-a', 'h1', spec(''));
    relay.updateWindow(a, spec(''), result(10));
    const filtered = result(3);
    relay.updateWindow(a, spec('udp'), filtered);
    expect(relay.recentWindow('h1', spec(''))).toBeUndefined();
    expect(relay.recentWindow('h1', spec('udp'))).toBe(filtered);
    relay.remove(a);
    expect(relay.recentWindow('h1', spec('udp'))).toBeUndefined();
  });
});
