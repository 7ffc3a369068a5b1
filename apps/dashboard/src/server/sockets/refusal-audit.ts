import type { Logger } from 'pino';
import type { Store } from '../store/types';

export interface RefusalAuditLimit {
  /** Rows one user's refused changes may write per window; the rest are counted. */
  rows: number;
  windowMs: number;
}

/** A person clicking through refused buttons gets a row each; a script looping changes gets 10 per 10 minutes. */
const DEFAULT_LIMIT: RefusalAuditLimit = { rows: 10, windowMs: 10 * 60_000 };

interface UserWindow {
  since: number;
  written: number;
  /** Refusals counted but not written, by action. */
  counted: Map<string, number>;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Audits refused changes without letting one user fill the audit log: the first few per window get a
 * row each; the rest are counted and written as one summary row per action when the window ends.
 */
export class RefusalAudit {
  private readonly users = new Map<string, UserWindow>();

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly limit: RefusalAuditLimit = DEFAULT_LIMIT,
  ) {}

  /** Resolves once the refusal is written or counted. */
  async record(actor: string, action: string, target: string, refused: string, now = Date.now()): Promise<void> {
    const window = this.windowOf(actor, now);
    if (window.written < this.limit.rows) {
      window.written += 1;
      await this.store.appendAudit({ at: now, actor, action, target, detail: { refused }, result: 'error' });
      return;
    }
    window.counted.set(action, (window.counted.get(action) ?? 0) + 1);
    window.timer ??= setTimeout(() => void this.flush(actor, window), window.since + this.limit.windowMs - now);
    window.timer.unref();
  }

  /** Writes what is still counted (on shutdown). */
  async close(): Promise<void> {
    await Promise.all([...this.users].map(([actor, window]) => this.flush(actor, window)));
  }

  private windowOf(actor: string, now: number): UserWindow {
    const current = this.users.get(actor);
    if (current && now - current.since < this.limit.windowMs) return current;
    if (current) void this.flush(actor, current);
    const fresh: UserWindow = { since: now, written: 0, counted: new Map(), timer: undefined };
    this.users.set(actor, fresh);
    return fresh;
  }

  private async flush(actor: string, window: UserWindow): Promise<void> {
    clearTimeout(window.timer);
    window.timer = undefined;
    const counted = [...window.counted];
    window.counted.clear();
    if (this.users.get(actor) === window) this.users.delete(actor);
    for (const [action, count] of counted) {
      await this.store
        .appendAudit({
          at: Date.now(),
          actor,
          action,
          target: 'several',
          detail: { refused: `${count} more refused changes like this one were counted, not written one by one`, count, since: window.since },
          result: 'error',
        })
        .catch((err: unknown) => this.logger.error({ err, actor }, 'could not audit counted refusals'));
    }
  }
}
