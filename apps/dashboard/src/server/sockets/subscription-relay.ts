import type { EventBatch, EventStreamSpec, WindowResult, WindowSpec } from '@ctscope/protocol';
import type { Logger } from 'pino';
import type { AgentLinks } from '../hosts/agent-links';

type Subscription =
  | { kind: 'window'; hostId: string; browserId: string; userId: number; spec: WindowSpec }
  | { kind: 'events'; hostId: string; browserId: string; userId: number; spec: EventStreamSpec };

export interface BrowserSink {
  window(browserId: string, subId: string, result: WindowResult): void;
  events(browserId: string, subId: string, batch: EventBatch): void;
  /**
   * Cluster mode: the browser owning a subscription may be on another dashboard server. Its socket joins
   * a room named after the host and subscription (`opened`/`closed`), and pushes for subscriptions this
   * server does not own go to that room (`elsewhere`); the room name keeps an agent to its own host's.
   */
  opened?(browserId: string, hostId: string, subId: string): void;
  closed?(browserId: string, hostId: string, subId: string): void;
  elsewhere?(hostId: string, subId: string, push: { window: WindowResult } | { events: EventBatch }): void;
}

/** Most live subscriptions one browser tab may hold. */
export const MAX_SUBSCRIPTIONS_PER_BROWSER = 16;
/** Most live subscriptions one user may hold across all their tabs on this server. */
export const MAX_SUBSCRIPTIONS_PER_USER = 48;
/**
 * A window's newest content (pushed or answered) is as current as its own viewer's for this long: agents
 * push a changed window within 250 ms and recompute an unchanged one on the first 250 ms tick a second
 * after its last push (its timeouts count down).
 */
export const WINDOW_SHARE_WITHIN_MS = 1_250;

const specKey = (spec: WindowSpec) => JSON.stringify([spec.query, spec.sort.column, spec.sort.desc, spec.offset, spec.limit]);

/**
 * Which browser owns which agent subscription. Routes agent pushes to the owning browser, closes a
 * browser's subscriptions when it leaves, and re-opens a host's subscriptions when its agent reconnects.
 */
export class SubscriptionRelay {
  private readonly subs = new Map<string, Subscription>();
  private readonly perBrowser = new Map<string, Set<string>>();
  private readonly perUser = new Map<number, number>();
  /** Each window subscription's newest content from its agent, and when it arrived. */
  private readonly latest = new Map<string, { result: WindowResult; receivedAt: number }>();
  private counter = 0;

  constructor(
    private readonly links: AgentLinks,
    private readonly sink: BrowserSink,
    private readonly logger: Logger,
  ) {
    links.onConnected((hostId) => this.restore(hostId));
  }

  /** Registers a subscription; says whose limit is reached when the tab or the user already holds too many. */
  add(sub: Subscription): { subId: string } | { full: 'tab' | 'user' } {
    const owned = this.perBrowser.get(sub.browserId) ?? new Set<string>();
    if (owned.size >= MAX_SUBSCRIPTIONS_PER_BROWSER) return { full: 'tab' };
    const ofUser = this.perUser.get(sub.userId) ?? 0;
    if (ofUser >= MAX_SUBSCRIPTIONS_PER_USER) return { full: 'user' };
    const subId = `${sub.browserId}.${++this.counter}`;
    owned.add(subId);
    this.perBrowser.set(sub.browserId, owned);
    this.perUser.set(sub.userId, ofUser + 1);
    this.subs.set(subId, sub);
    this.sink.opened?.(sub.browserId, sub.hostId, subId);
    return { subId };
  }

  get(subId: string, browserId: string): Subscription | undefined {
    const sub = this.subs.get(subId);
    return sub?.browserId === browserId ? sub : undefined;
  }

  /** The agent answered a (re)opened window with this content, for this spec. */
  updateWindow(subId: string, spec: WindowSpec, result?: WindowResult): void {
    const sub = this.subs.get(subId);
    if (sub?.kind !== 'window') return;
    sub.spec = spec;
    if (result) this.latest.set(subId, { result, receivedAt: Date.now() });
  }

  /**
   * The content of a window this server relays for the same host and the very same spec, if it arrived
   * within WINDOW_SHARE_WITHIN_MS: a new view of it (another tab, a reload beside one) can be shown that
   * at once instead of waiting for the agent, which may be busy with a big table.
   */
  recentWindow(hostId: string, spec: WindowSpec, now = Date.now()): WindowResult | undefined {
    const wanted = specKey(spec);
    for (const [subId, latest] of this.latest) {
      const sub = this.subs.get(subId);
      if (sub?.kind === 'window' && sub.hostId === hostId && now - latest.receivedAt <= WINDOW_SHARE_WITHIN_MS && specKey(sub.spec) === wanted) return latest.result;
    }
    return undefined;
  }

  remove(subId: string): void {
    const sub = this.subs.get(subId);
    if (!sub) return;
    this.subs.delete(subId);
    this.latest.delete(subId);
    this.perBrowser.get(sub.browserId)?.delete(subId);
    const ofUser = (this.perUser.get(sub.userId) ?? 1) - 1;
    if (ofUser > 0) this.perUser.set(sub.userId, ofUser);
    else this.perUser.delete(sub.userId);
    this.sink.closed?.(sub.browserId, sub.hostId, subId);
    this.links.notify(sub.hostId, sub.kind === 'window' ? 'window:close' : 'events:close', { subId });
  }

  browserLeft(browserId: string): void {
    for (const subId of this.perBrowser.get(browserId) ?? []) this.remove(subId);
    this.perBrowser.delete(browserId);
  }

  /** An agent pushed content; only the subscription's own host may feed it. */
  windowPushed(hostId: string, subId: string, result: WindowResult): void {
    const sub = this.subs.get(subId);
    if (!sub) this.sink.elsewhere?.(hostId, subId, { window: result });
    else if (sub.hostId === hostId && sub.kind === 'window') {
      this.latest.set(subId, { result, receivedAt: Date.now() });
      this.sink.window(sub.browserId, subId, result);
    }
  }

  eventsPushed(hostId: string, subId: string, batch: EventBatch): void {
    const sub = this.subs.get(subId);
    if (!sub) this.sink.elsewhere?.(hostId, subId, { events: batch });
    else if (sub.hostId === hostId && sub.kind === 'events') this.sink.events(sub.browserId, subId, batch);
  }

  /** Re-opens the host's subscriptions on its agent, which just (re)connected here or to another server. */
  restore(hostId: string): void {
    for (const [subId, sub] of this.subs) {
      if (sub.hostId !== hostId) continue;
      if (sub.kind === 'window') {
        void this.links.request(hostId, 'window:open', { subId, spec: sub.spec }).then((answer) => {
          if (answer.ok) this.windowPushed(hostId, subId, answer.data);
          else this.logger.warn({ hostId, subId, code: answer.code }, 'could not restore a window after the agent reconnected');
        });
      } else {
        void this.links.request(hostId, 'events:open', { subId, spec: sub.spec }).then((answer) => {
          if (!answer.ok) this.logger.warn({ hostId, subId, code: answer.code }, 'could not restore an event stream after the agent reconnected');
        });
      }
    }
  }
}
