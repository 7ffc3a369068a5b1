import type { Clock } from './clock';
import type { SendResult } from './types';

export interface QueueOptions {
  /** Items waiting at most; a new one past it drops the oldest (counted). */
  capacity: number;
  /** First retry delay; doubled per attempt up to `maxDelayMs`, with jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Attempts per item before it is given up (counted as dropped). */
  maxAttempts: number;
  /** 0..1 → the fraction of the delay that is random (0.5: between 50 % and 100 % of it). */
  random: () => number;
}

export const DEFAULT_QUEUE_OPTIONS: QueueOptions = { capacity: 1_000, baseDelayMs: 1_000, maxDelayMs: 300_000, maxAttempts: 10, random: Math.random };

export interface QueueStatus {
  lastSuccessAt: number | null;
  lastFailureAt: number | null;
  lastError: string | null;
  sent: number;
  queued: number;
  dropped: number;
}

/** The delay before retry number `attempt` (1-based): exponential, capped, the upper half jittered. */
export function backoffDelay(attempt: number, options: Pick<QueueOptions, 'baseDelayMs' | 'maxDelayMs' | 'random'>): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * options.random());
}

/**
 * One destination's deliveries, in order, one request at a time. A failure worth retrying keeps the item
 * at the head and waits (exponential backoff with jitter); a full queue drops its oldest item.
 */
export class DeliveryQueue<T> {
  private readonly items: { item: T; attempts: number; key: string | undefined }[] = [];
  private sending = false;
  private cancelWait: (() => void) | undefined;
  private closed = false;
  readonly status: QueueStatus = { lastSuccessAt: null, lastFailureAt: null, lastError: null, sent: 0, queued: 0, dropped: 0 };

  constructor(
    private readonly send: (item: T) => Promise<SendResult>,
    private readonly clock: Clock,
    private readonly options: QueueOptions = DEFAULT_QUEUE_OPTIONS,
  ) {}

  /**
   * Adds an item. With `replaceKey`, an item with the same key still waiting (not being sent) is
   * replaced in place instead: a reminder that is sent again and again never piles up behind a slow
   * destination.
   */
  push(item: T, replaceKey?: string): void {
    if (this.closed) return;
    if (replaceKey !== undefined) {
      const start = this.sending || this.cancelWait ? 1 : 0;
      const waiting = this.items.findIndex((entry, i) => i >= start && entry.key === replaceKey);
      if (waiting >= 0) {
        this.items[waiting] = { item, attempts: 0, key: replaceKey };
        return;
      }
    }
    // The head may be in flight: drop the oldest waiting item instead.
    if (this.items.length >= this.options.capacity) {
      this.status.dropped++;
      const removed = this.items.splice(this.sending || this.cancelWait ? 1 : 0, 1);
      if (removed.length === 0) return;
    }
    this.items.push({ item, attempts: 0, key: replaceKey });
    this.status.queued = this.items.length;
    this.pump();
  }

  /** Stops retrying; what is queued is discarded. */
  close(): void {
    this.closed = true;
    this.cancelWait?.();
    this.cancelWait = undefined;
    this.items.length = 0;
    this.status.queued = 0;
  }

  /** Records a delivery made outside the queue (the page's "send test"). */
  record(result: SendResult): void {
    if (result.ok) {
      this.status.lastSuccessAt = this.clock.now();
      this.status.sent++;
    } else {
      this.status.lastFailureAt = this.clock.now();
      this.status.lastError = result.error;
    }
  }

  private pump(): void {
    if (this.sending || this.cancelWait || this.closed) return;
    const head = this.items[0];
    if (!head) return;
    this.sending = true;
    head.attempts++;
    void this.send(head.item)
      .catch((err: unknown): SendResult => ({ ok: false, retry: true, error: err instanceof Error ? err.message : 'sending failed' }))
      .then((result) => {
        this.sending = false;
        if (this.closed) return;
        this.record(result);
        if (!result.ok && result.retry && head.attempts < this.options.maxAttempts) {
          this.cancelWait = this.clock.after(backoffDelay(head.attempts, this.options), () => {
            this.cancelWait = undefined;
            this.pump();
          });
          return;
        }
        if (this.items[0] === head) this.items.shift();
        if (!result.ok) this.status.dropped++;
        this.status.queued = this.items.length;
        this.pump();
      });
  }
}
