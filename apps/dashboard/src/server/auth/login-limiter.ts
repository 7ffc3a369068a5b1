/**
 * Slows password guessing: at most `limit` failed logins per key (username + address) per window.
 * The map is bounded: when full, the oldest entries are dropped first.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(
    private readonly limit = 10,
    private readonly windowMs = 15 * 60_000,
    private readonly maxKeys = 10_000,
  ) {}

  /** Milliseconds until the key may try again, or 0. */
  retryAfter(key: string, now = Date.now()): number {
    const entry = this.failures.get(key);
    if (!entry || now - entry.since >= this.windowMs) return 0;
    return entry.count >= this.limit ? entry.since + this.windowMs - now : 0;
  }

  fail(key: string, now = Date.now()): void {
    const entry = this.failures.get(key);
    if (entry && now - entry.since < this.windowMs) {
      entry.count += 1;
      return;
    }
    this.failures.delete(key);
    if (this.failures.size >= this.maxKeys) {
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
    this.failures.set(key, { count: 1, since: now });
  }

  succeed(key: string): void {
    this.failures.delete(key);
  }
}
