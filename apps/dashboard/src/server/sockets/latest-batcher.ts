/**
 * Keeps the newest value per key and hands them on together at most every `delayMs`, so a thousand hosts
 * sampling once a second reach each browser (or the other dashboard servers) as ten messages a second
 * instead of a thousand. A key that changes again before the flush replaces its pending value: nothing
 * older than the newest is ever sent. Memory is bounded by `maxKeys`: past it the batch goes out at once.
 */
export class LatestBatcher<V> {
  private pending = new Map<string, V>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly flush: (batch: V[]) => void,
    private readonly delayMs: number,
    private readonly maxKeys: number,
  ) {}

  add(key: string, value: V): void {
    this.pending.delete(key); // re-inserted last: a batch lists values in the order they last changed
    this.pending.set(key, value);
    if (this.pending.size >= this.maxKeys) return this.sendNow();
    if (!this.timer) {
      this.timer = setTimeout(() => this.sendNow(), this.delayMs);
      this.timer.unref();
    }
  }

  /** Sends what is pending now (also on shutdown). */
  sendNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending.clear();
    this.flush(batch);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
  }
}
