import type { BrowserToServerEvents } from '@ctscope/protocol';

type RequestName = keyof BrowserToServerEvents;

/**
 * Reads that cost an agent real work (walking its whole table, running `nft`/`iptables-save`, reading
 * /proc/sys or its history) or the dashboard a large read of stored history. Changes are not listed:
 * only operators may make them, and each is audited.
 */
export const HEAVY_REQUESTS: ReadonlySet<RequestName> = new Set<RequestName>([
  'window:subscribe',
  'window:change',
  'flows:aggregate',
  'flows:deleteMatching',
  'rules:detect',
  'rules:preview',
  'rules:list',
  'sysctl:get',
  'sysctl:preview',
  'sysctl:persistPreview',
  'sysctl:history',
  'stats:history',
  'host:history',
  'fleet:history',
  'composition:at',
  'composition:growth',
]);

export interface Limit {
  /** Sustained requests per second. */
  rate: number;
  /** Requests that may arrive at once after a quiet spell. */
  burst: number;
  /** Requests waiting for their answer. */
  inFlight: number;
}

export interface Limits {
  socket: { all: Limit; heavy: Limit };
  user: { all: Limit; heavy: Limit };
}

/**
 * Generous for a person (a page loads a few heavy requests at once, typing in a filter sends up to one
 * window change per answer), small next to what a script looping requests would send: a heavy request
 * can cost the agent a walk of its whole table or a run of `nft`/`iptables-save`. The agent answers one
 * request at a time, so the bound on a user's unanswered heavy requests is also how many of theirs
 * another user's request can wait behind.
 */
export const DEFAULT_LIMITS: Limits = {
  socket: { all: { rate: 20, burst: 40, inFlight: 8 }, heavy: { rate: 8, burst: 24, inFlight: 4 } },
  user: { all: { rate: 40, burst: 80, inFlight: 16 }, heavy: { rate: 10, burst: 30, inFlight: 4 } },
};

/** Retry hint when only the number of unanswered requests is over its limit. */
const IN_FLIGHT_RETRY_MS = 500;
/** Refusals in one second after which a socket is taken to ignore them (a script, not a page) and closed. */
export const MAX_REFUSALS_PER_SECOND = 100;

class Budget {
  private tokens: number;
  private last: number;
  inFlight = 0;

  constructor(
    private readonly limit: Limit,
    now: number,
  ) {
    this.tokens = limit.burst;
    this.last = now;
  }

  /** Milliseconds until this budget admits one more request (0: now). */
  wait(now: number): number {
    this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.last) / 1000) * this.limit.rate);
    this.last = now;
    if (this.inFlight >= this.limit.inFlight) return IN_FLIGHT_RETRY_MS;
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.limit.rate) * 1000);
  }

  /** Whether this budget is back at its burst with nothing unanswered (forgetting it changes nothing). */
  rested(now: number): boolean {
    return this.inFlight === 0 && this.wait(now) === 0 && this.tokens >= this.limit.burst;
  }

  take(): void {
    this.tokens -= 1;
    this.inFlight += 1;
  }
}

interface Budgets {
  all: Budget;
  heavy: Budget;
}

const budgets = (limits: { all: Limit; heavy: Limit }, now: number): Budgets => ({ all: new Budget(limits.all, now), heavy: new Budget(limits.heavy, now) });

/** Admission of one request: a release to call when it is answered, or how long to wait. */
export type Admission = { release(): void } | { retryAfterMs: number };

/** One socket's view of the budgets. */
export interface SocketBudgets {
  admit(name: RequestName, now?: number): Admission;
  /** The socket kept sending after being refused more than MAX_REFUSALS_PER_SECOND times in a second. */
  ignoresRefusals(): boolean;
  close(): void;
}

/**
 * Per-user and per-socket budgets of browser requests on this dashboard server: a rate (token bucket)
 * and a bound on unanswered requests, for all requests and tighter for heavy ones. A request over any
 * budget is refused at once with a retry time; nothing waits in a queue.
 */
export class RequestLimits {
  private readonly users = new Map<number, { budgets: Budgets; sockets: number }>();

  constructor(private readonly limits: Limits = DEFAULT_LIMITS) {}

  /** Budgets of one socket of this user; `close` when the socket goes. */
  forSocket(userId: number, now = Date.now()): SocketBudgets {
    this.forgetRested(now);
    const user = this.users.get(userId) ?? { budgets: budgets(this.limits.user, now), sockets: 0 };
    user.sockets += 1;
    this.users.set(userId, user);
    const own = budgets(this.limits.socket, now);
    let closed = false;
    const refusals = { since: now, count: 0 };
    return {
      admit: (name, at = Date.now()) => {
        const chain = HEAVY_REQUESTS.has(name) ? [own.all, own.heavy, user.budgets.all, user.budgets.heavy] : [own.all, user.budgets.all];
        const retryAfterMs = Math.max(...chain.map((budget) => budget.wait(at)));
        if (retryAfterMs > 0) {
          if (at - refusals.since >= 1000) [refusals.since, refusals.count] = [at, 0];
          refusals.count += 1;
          return { retryAfterMs };
        }
        for (const budget of chain) budget.take();
        let released = false;
        return {
          release: () => {
            if (released) return;
            released = true;
            for (const budget of chain) budget.inFlight -= 1;
          },
        };
      },
      ignoresRefusals: () => refusals.count > MAX_REFUSALS_PER_SECOND,
      close: () => {
        if (closed) return;
        closed = true;
        user.sockets -= 1;
      },
    };
  }

  /**
   * A user's budgets outlive their sockets until they have refilled: dropping them with the last socket
   * gave a script that reconnects a fresh burst each time. At most one entry per account.
   */
  private forgetRested(now: number): void {
    for (const [userId, user] of this.users) {
      if (user.sockets === 0 && user.budgets.all.rested(now) && user.budgets.heavy.rested(now)) this.users.delete(userId);
    }
  }

  /** Users with budgets held (for tests: a user's budgets go once they have no socket and have refilled). */
  get trackedUsers(): number {
    return this.users.size;
  }
}
