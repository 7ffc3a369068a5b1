import { MAX_AGENT_SUBSCRIPTIONS, type WindowResult, type WindowSpec } from '@ctscope/protocol';
import type { Mirror } from '../mirror/mirror';
import { compileQuery } from '../query/compile-query';
import { queryWindow } from '../query/window';

/** Windows are recomputed at most this often, and pushed only when their content changed. */
export const WINDOW_PUSH_INTERVAL_MS = 250;
/** Remaining timeouts count down, so an unchanged table still refreshes its windows this often. */
export const WINDOW_REFRESH_MS = 1_000;

interface OpenWindow {
  spec: WindowSpec;
  match: ReturnType<typeof compileQuery> & { ok: true };
  /** What the window asks for, by meaning (the compiled filter, not its text): equal keys show equal content. */
  key: string;
  signature: string;
  pushedAt: number;
  /** The content last computed for it, when, and at which version of the mirror. */
  last: WindowResult;
  computedAt: number;
  version: number;
}

export type OpenResult = { ok: true; result: WindowResult } | { ok: false; message: string };

/**
 * Live table windows: recomputed when the mirror changes, pushed when what they show changed. Windows
 * asking for the same thing share one computation: a window opened like one already open (a second
 * viewer, a reload beside another tab, a filter typed back) is answered from that one's newest content
 * while it is as fresh as a push would be, and a refresh computes each distinct window once.
 */
export class WindowSubscriptions {
  private readonly windows = new Map<string, OpenWindow>();
  private dirty = false;
  /** Bumped on every change of the mirror. */
  private version = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly mirror: Pick<Mirror, 'table' | 'onChange'>,
    private readonly push: (subId: string, result: WindowResult) => void,
  ) {
    this.unsubscribe = mirror.onChange(() => {
      this.dirty = true;
      this.version++;
    });
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
    const key = keyOf(spec, match);
    const now = Date.now();
    const twin = this.freshTwin(key, now);
    const computed = twin ? null : this.compute(spec, match);
    const last = twin?.last ?? (computed as WindowResult);
    const signature = twin?.signature ?? signatureOf(last);
    this.windows.set(subId, { spec, match, key, signature, pushedAt: twin?.computedAt ?? now, last, computedAt: twin?.computedAt ?? now, version: twin?.version ?? this.version });
    return { ok: true, result: last };
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

  /**
   * An open window asking the same, whose content is no older than what its own viewer may be shown:
   * computed within one push interval, or, when the mirror has not changed since, within a refresh
   * period and the tick that recomputes it (only remaining timeouts have counted down since).
   */
  private freshTwin(key: string, now: number): OpenWindow | undefined {
    let best: OpenWindow | undefined;
    for (const window of this.windows.values()) {
      if (window.key !== key || (best && best.computedAt >= window.computedAt)) continue;
      const age = now - window.computedAt;
      if (age < WINDOW_PUSH_INTERVAL_MS || (window.version === this.version && age < WINDOW_REFRESH_MS + WINDOW_PUSH_INTERVAL_MS)) best = window;
    }
    return best;
  }

  private compute(spec: WindowSpec, match: OpenWindow['match']): WindowResult {
    return queryWindow({ table: this.mirror.table, filter: match.filter, spec });
  }

  private refresh(): void {
    if (this.windows.size === 0) return;
    const now = Date.now();
    const changed = this.dirty;
    this.dirty = false;
    /** Each distinct window is computed once per refresh. */
    const computed = new Map<string, { result: WindowResult; signature: string }>();
    for (const [subId, window] of this.windows) {
      if (!changed && now - window.pushedAt < WINDOW_REFRESH_MS) continue;
      let fresh = computed.get(window.key);
      if (!fresh) {
        const result = this.compute(window.spec, window.match);
        computed.set(window.key, (fresh = { result, signature: signatureOf(result) }));
      }
      const { result, signature } = fresh;
      window.last = result;
      window.computedAt = now;
      window.version = this.version;
      if (signature === window.signature) continue;
      window.signature = signature;
      window.pushedAt = now;
      this.push(subId, result);
    }
  }
}

/** The compiled filter (what "udp" and " udp " both mean), the sort and the slice. */
function keyOf(spec: WindowSpec, match: OpenWindow['match']): string {
  return JSON.stringify([match.filter, spec.sort.column, spec.sort.desc, spec.offset, spec.limit]);
}

/** What the viewer sees: totals and rows, without the timing fields. */
function signatureOf(result: WindowResult): string {
  return JSON.stringify([result.total, result.size, result.rows]);
}
