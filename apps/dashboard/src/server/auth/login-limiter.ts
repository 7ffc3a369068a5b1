/**
 * Slows password guessing: at most `limit` failed logins per key per window. The map is bounded; when
 * full, expired and unlocked entries make room (oldest first) but a locked key is never forgotten early:
 * otherwise a flood of junk keys would unlock the one being guessed. When every entry is locked the new
 * key is not tracked (the per-address limiter and the hash slots still bound what it can do).
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
    if (this.failures.size >= this.maxKeys && !this.makeRoom(now)) return;
    this.failures.set(key, { count: 1, since: now });
  }

  succeed(key: string): void {
    this.failures.delete(key);
  }

  /** Drops the oldest entry that is expired or not locked; false when every entry is a live lock. */
  private makeRoom(now: number): boolean {
    for (const [key, entry] of this.failures) {
      if (now - entry.since >= this.windowMs || entry.count < this.limit) {
        this.failures.delete(key);
        return true;
      }
    }
    return false;
  }
}

/**
 * Bounds how many password hashes run at once (each Argon2id verification holds 19 MiB and a core for
 * tens of milliseconds). Over the bound the caller answers "busy, retry" at once: nothing waits in a queue.
 */
export class HashSlots {
  private busy = 0;

  constructor(readonly max = 4) {}

  /** Runs `work` in a free slot, or resolves with undefined at once when none is free. */
  async tryRun<T>(work: () => Promise<T>): Promise<{ value: T } | undefined> {
    if (this.busy >= this.max) return undefined;
    this.busy += 1;
    try {
      return { value: await work() };
    } finally {
      this.busy -= 1;
    }
  }
}
