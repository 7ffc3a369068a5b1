import { MAX_AGENT_SUBSCRIPTIONS, type WindowResult, type WindowSpec } from '@ctscope/protocol';
import type { Mirror } from '../mirror/mirror';
import { compileQuery } from '../query/compile-query';
import { queryWindow } from '../query/window';

/** Windows are recomputed at most this often, and pushed only when their content changed. */
export const WINDOW_PUSH_INTERVAL_MS = 250;
/** Remaining timeouts count down, so an unchanged table still refreshes its windows this often. */
const WINDOW_REFRESH_MS = 1_000;

interface OpenWindow {
  spec: WindowSpec;
  match: ReturnType<typeof compileQuery> & { ok: true };
  signature: string;
  pushedAt: number;
}

export type OpenResult = { ok: true; result: WindowResult } | { ok: false; message: string };

/** Live table windows: recomputed when the mirror changes, pushed when what they show changed. */
export class WindowSubscriptions {
  private readonly windows = new Map<string, OpenWindow>();
  private dirty = false;
  private readonly timer: NodeJS.Timeout;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly mirror: Mirror,
    private readonly push: (subId: string, result: WindowResult) => void,
  ) {
    this.unsubscribe = mirror.onChange(() => (this.dirty = true));
    this.timer = setInterval(() => this.refresh(), WINDOW_PUSH_INTERVAL_MS);
    this.timer.unref();
  }

  get size(): number {
    return this.windows.size;
  }

  /** Opens a window or replaces the spec of an open one; answers with its content now. */
  open(subId: string, spec: WindowSpec): OpenResult {
    if (!this.windows.has(subId) && this.windows.size >= MAX_AGENT_SUBSCRIPTIONS) {
      return { ok: false, message: `this agent already serves ${MAX_AGENT_SUBSCRIPTIONS} subscriptions; close some views and retry` };
    }
    const match = compileQuery(spec.query);
    if (!match.ok) return match;
    const result = this.compute(spec, match);
    this.windows.set(subId, { spec, match, signature: signatureOf(result), pushedAt: Date.now() });
    return { ok: true, result };
  }

  close(subId: string): void {
    this.windows.delete(subId);
  }

  closeAll(): void {
    this.windows.clear();
  }

  stop(): void {
    clearInterval(this.timer);
    this.unsubscribe();
    this.windows.clear();
  }

  private compute(spec: WindowSpec, match: OpenWindow['match']): WindowResult {
    return queryWindow({ table: this.mirror.table, filter: match.filter, spec });
  }

  private refresh(): void {
    if (this.windows.size === 0) return;
    const now = Date.now();
    const changed = this.dirty;
    this.dirty = false;
    for (const [subId, window] of this.windows) {
      if (!changed && now - window.pushedAt < WINDOW_REFRESH_MS) continue;
      const result = this.compute(window.spec, window.match);
      const signature = signatureOf(result);
      if (signature === window.signature) continue;
      window.signature = signature;
      window.pushedAt = now;
      this.push(subId, result);
    }
  }
}

/** What the viewer sees: totals and rows, without the timing fields. */
function signatureOf(result: WindowResult): string {
  return JSON.stringify([result.total, result.size, result.rows]);
}
