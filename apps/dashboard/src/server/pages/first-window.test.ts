import { fail, ok, ErrorCode, type Ack, type HostSummary, type WindowResult, type WindowSpec } from '@ctscope/protocol';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Sessions } from '../auth/sessions';
import type { AgentLinks } from '../hosts/agent-links';
import type { HostRegistry } from '../hosts/registry';
import { RequestLimits, DEFAULT_LIMITS } from '../sockets/request-limits';
import { SubscriptionRelay } from '../sockets/subscription-relay';
import { createFirstWindowLoader, FIRST_WINDOW_WAIT_MS, PAGE_WINDOW_HOLD_MS } from './first-window';
import type { FirstWindowLoader } from './first-window-bridge';

const spec: WindowSpec = { query: 'udp', sort: { column: 'timeout', desc: true }, offset: 0, limit: 120 };
const result = (total: number): WindowResult => ({ total, size: 1_000, offset: 0, rows: [], at: 1, tookMs: 3 });
const host = (id: string, online: boolean): HostSummary => ({ id, hostname: id, online, lastSeen: 1, agent: null, latest: null });

describe('the connections page reads its first window', () => {
  let requests: { hostId: string; event: string; payload: unknown }[];
  let closed: string[];
  let answer: () => Promise<Ack<WindowResult>>;
  let hosts: HostSummary[];
  let relay: SubscriptionRelay;
  let load: FirstWindowLoader;

  const make = (limits = new RequestLimits()) => {
    const links = {
      onConnected: () => () => undefined,
      notify: (hostId: string, event: string, payload: { subId: string }) => void (event === 'window:close' && closed.push(`${hostId} ${payload.subId}`)),
      request: (hostId: string, event: string, payload: unknown) => {
        requests.push({ hostId, event, payload });
        return answer();
      },
    } as unknown as AgentLinks;
    relay = new SubscriptionRelay(links, { window: () => undefined, events: () => undefined }, pino({ level: 'silent' }));
    const sessions = { userFromCookieHeader: async (cookie: string | undefined) => (cookie === 'session=good' ? { id: 7, username: 'ann', role: 'viewer' } : null) } as unknown as Sessions;
    const registry = { list: async () => hosts } as unknown as HostRegistry;
    load = createFirstWindowLoader({ sessions, registry, links, relay, limits, logger: pino({ level: 'silent' }) });
  };

  beforeEach(() => {
    requests = [];
    closed = [];
    answer = async () => ok(result(42));
    hosts = [host('down', false), host('up', true)];
    make();
  });
  afterEach(() => vi.useRealTimers());

  it('asks the agent of the first online host (or the one named) with the spec, for a valid session only', async () => {
    expect(await load('session=good', null, spec)).toEqual({ hostId: 'up', hosts, spec, result: result(42) });
    expect(requests).toEqual([{ hostId: 'up', event: 'window:open', payload: { subId: expect.stringMatching(/^page:/), spec } }]);
    expect(await load('session=bad', null, spec)).toBeNull();
    expect(await load(null, null, spec)).toBeNull();
    // A host that is offline or unknown: nothing to read.
    expect(await load('session=good', 'down', spec)).toBeNull();
    expect(await load('session=good', 'nowhere', spec)).toBeNull();
    expect(requests).toHaveLength(1);
  });

  it('refuses a spec the protocol refuses, and gives up on an agent that answers with an error', async () => {
    expect(await load('session=good', null, { ...spec, limit: 100_000 })).toBeNull();
    expect(requests).toHaveLength(0);
    answer = async () => fail(ErrorCode.BadRequest, 'bad filter');
    expect(await load('session=good', null, spec)).toBeNull();
  });

  it('keeps what it read for the browser subscribing next, and lets go of the subscription afterwards', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    await load('session=good', null, spec);
    // The browser's own subscribe, a second later, is answered from it without waiting for the agent.
    vi.advanceTimersByTime(1_000);
    expect(relay.recentWindow('up', spec)).toEqual(result(42));
    expect(await load('session=good', null, spec)).toEqual({ hostId: 'up', hosts, spec, result: result(42) });
    expect(requests).toHaveLength(1);
    vi.advanceTimersByTime(PAGE_WINDOW_HOLD_MS);
    expect(closed).toEqual([`up ${(requests[0]?.payload as { subId: string }).subId}`]);
    expect(relay.recentWindow('up', spec)).toBeUndefined();
  });

  it('does not hold the page for a slow agent, whose late answer still serves the browser', async () => {
    let respond: (a: Ack<WindowResult>) => void = () => undefined;
    answer = () => new Promise((resolve) => (respond = resolve));
    const started = Date.now();
    expect(await load('session=good', null, spec)).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(FIRST_WINDOW_WAIT_MS - 5);
    respond(ok(result(9)));
    await Promise.resolve();
    expect(relay.recentWindow('up', spec)).toEqual(result(9));
  });

  it("charges the user's budget of heavy requests like a browser's subscribe", async () => {
    make(new RequestLimits({ ...DEFAULT_LIMITS, user: { ...DEFAULT_LIMITS.user, heavy: { rate: 0.001, burst: 2, inFlight: 4 } } }));
    const distinct = (q: string): WindowSpec => ({ ...spec, query: q });
    expect(await load('session=good', null, distinct('tcp'))).not.toBeNull();
    expect(await load('session=good', null, distinct('udp'))).not.toBeNull();
    expect(await load('session=good', null, distinct('icmp'))).toBeNull();
    expect(requests).toHaveLength(2);
  });
});
