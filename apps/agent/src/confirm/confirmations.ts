import { stat } from 'node:fs/promises';
import { MAX_PENDING_CHANGES, type Actor, type ChangeOutcomeResult, type PendingChanges } from '@ctscope/protocol';
import type { Logger } from 'pino';
import { tailRecords, type AuditLog } from '../audit';
import type { RulesService } from '../live/rules-service';
import type { SysctlService } from '../live/sysctl-service';
import type { Claims } from './claims';
import { AGENT_ACTOR, CONFIRM_ACTION, CONFIRMABLE_ACTIONS, MAX_REVERT_ATTEMPTS, RELEVANT_LINE, REVERT_ACTION, confirmState, expiryReason, toPending, type ConfirmState, type OpenChange } from './records';

export type ConfirmAnswer<T> = { ok: true; data: T } | { ok: false; code: 'NOT_FOUND' | 'CONFLICT' | 'INTERNAL'; message: string };

export interface Undoers {
  sysctl: Pick<SysctlService, 'rollbackChange'>;
  rules: Pick<RulesService, 'remove'>;
}

export interface ConfirmOptions {
  audit: AuditLog;
  claims: Claims;
  undo: Undoers;
  logger?: Logger;
  /** How often the audit file is looked at for changes other processes recorded (the CLI). */
  pollMs?: number;
  /** Wait between failed revert attempts. */
  retryMs?: number;
  /** How long outcomes stay listed for the pages. */
  recentMs?: number;
  /** The CLI's reverter: watch this change alone. */
  only?: string;
  /** A starting agent takes over reverts whose claiming process died before finishing them. */
  takeOverStale?: boolean;
  /** For tests: bytes a quick scan reads. */
  quickScanBytes?: number;
}

/** Records read back per scan: far more than the open changes and their outcomes of the last day. */
const SCAN_RECORDS = 2_000;
/** Bytes of the log a full scan reads at most (at start, and before acting), and a scan after a mere append. */
const FULL_SCAN_BYTES = 64 * 1024 * 1024;
const QUICK_SCAN_BYTES = 4 * 1024 * 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Enforces confirmation deadlines from the audit log: each open change gets a timer; at its deadline
 * the change is reverted (once: see Claims), audited as `changes.revert` by the agent, and retried
 * a few times when the undo fails. Changes recorded by other processes (the CLI) are found by watching
 * the file, and those left open by a previous run are picked up at start.
 */
export class Confirmations {
  private state: ConfirmState = { open: [], recent: [], settled: new Set() };
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly reverting = new Set<string>();
  private poller: NodeJS.Timeout | null = null;
  private signature = '';
  private scanning: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: ConfirmOptions) {}

  async start(): Promise<void> {
    await this.options.claims.prune(Date.now()).catch(() => undefined);
    // An unreadable log is logged (by scan) and read again at the next poll; the agent still starts.
    await this.scan().catch(() => undefined);
    this.poller = setInterval(() => void this.poll(), this.options.pollMs ?? 1_000);
    this.poller.unref?.();
  }

  stop(): void {
    this.stopped = true;
    if (this.poller) clearInterval(this.poller);
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** What samples carry: open changes with their countdowns, and recent outcomes; undefined when there is neither. */
  snapshot(now = Date.now()): PendingChanges | undefined {
    const open = this.visible(this.state.open);
    if (open.length === 0 && this.state.recent.length === 0) return undefined;
    return { pending: open.slice(0, MAX_PENDING_CHANGES).map((c) => toPending(c, now, this.reverting.has(c.changeId))), recent: this.state.recent };
  }

  /** True while `changeId` still waits for a confirmation or a revert. */
  isOpen(changeId: string): boolean {
    return this.state.open.some((c) => c.changeId === changeId);
  }

  /** Refuses a new confirmable change when the limit of open ones is reached. */
  async room(): Promise<ConfirmAnswer<null>> {
    await this.scan();
    if (this.state.open.length < MAX_PENDING_CHANGES) return { ok: true, data: null };
    return { ok: false, code: 'CONFLICT', message: `${this.state.open.length} changes already wait for a confirmation on this host (at most ${MAX_PENDING_CHANGES}): confirm or revert some first` };
  }

  /**
   * Reads the audit log again and (re)arms the deadline timers. Scans run one at a time. A quick scan
   * (after an append noticed by the poll) reads only the newest part of the log: changes open before
   * that it does not reach stay open unless it finds them settled.
   */
  scan(quick = false): Promise<void> {
    const run = this.scanning.then(async () => {
      const records = await tailRecords({
        files: this.options.audit.files(),
        limit: SCAN_RECORDS,
        filter: { action: [...CONFIRMABLE_ACTIONS, CONFIRM_ACTION, REVERT_ACTION] },
        scanBytes: quick ? (this.options.quickScanBytes ?? QUICK_SCAN_BYTES) : FULL_SCAN_BYTES,
        prefilter: (line) => RELEVANT_LINE.test(line),
      });
      const next = confirmState(records, Date.now(), this.options.recentMs ?? 10 * 60_000);
      if (quick) {
        const seen = new Set(next.open.map((c) => c.changeId));
        const carried = this.state.open.filter((c) => !seen.has(c.changeId) && !next.settled.has(c.changeId) && !records.some((r) => r.id === c.changeId));
        next.open = [...carried, ...next.open];
      }
      this.state = next;
      this.arm();
    });
    this.scanning = run.catch((err: unknown) => this.options.logger?.error({ err: (err as Error).message }, 'cannot read pending changes from the audit log'));
    return run;
  }

  async confirm(actor: Actor, changeId: string): Promise<ConfirmAnswer<ChangeOutcomeResult>> {
    await this.scan();
    const change = this.state.open.find((c) => c.changeId === changeId);
    if (!change) return this.notOpen(changeId);
    if (Date.now() > change.deadline || this.reverting.has(changeId)) {
      return { ok: false, code: 'CONFLICT', message: `too late: the deadline passed at ${new Date(change.deadline).toISOString()} and the change is being reverted; apply it again to keep it` };
    }
    if (!(await this.options.claims.take(changeId, 'confirm'))) return this.claimedBySomeone(changeId);
    try {
      await this.options.audit.record({ actor, action: CONFIRM_ACTION, target: changeId, details: { changeId, kind: change.kind, summary: change.summary }, result: 'ok' });
    } catch (err) {
      await this.options.claims.release(changeId);
      throw err;
    }
    this.disarm(changeId);
    this.options.logger?.info({ changeId, user: actor.user }, 'change confirmed');
    await this.scan();
    return { ok: true, data: { changeId, outcome: 'confirmed', message: `confirmed: ${change.summary} stays` } };
  }

  /** Undoes an open change now instead of at its deadline. */
  async revertNow(actor: Actor, changeId: string): Promise<ConfirmAnswer<ChangeOutcomeResult>> {
    await this.scan();
    const change = this.state.open.find((c) => c.changeId === changeId);
    if (!change) return this.notOpen(changeId);
    if (this.reverting.has(changeId) || !(await this.options.claims.take(changeId, 'revert'))) return this.claimedBySomeone(changeId);
    this.disarm(changeId);
    const done = await this.revert(change, actor, `reverted before its deadline by ${actor.user}`);
    return done.ok ? { ok: true, data: { changeId, outcome: 'reverted', message: done.message } } : { ok: false, code: 'INTERNAL', message: done.message };
  }

  private visible(open: readonly OpenChange[]): OpenChange[] {
    return this.options.only === undefined ? [...open] : open.filter((c) => c.changeId === this.options.only);
  }

  private async poll(): Promise<void> {
    const info = await stat(this.options.audit.path).catch(() => null);
    const signature = info ? `${info.ino}:${info.size}:${info.mtimeMs}` : '';
    if (signature === this.signature) return;
    this.signature = signature;
    await this.scan(true).catch(() => undefined);
  }

  private arm(): void {
    if (this.stopped) return;
    const open = new Set(this.visible(this.state.open).map((c) => c.changeId));
    for (const [id, timer] of this.timers) {
      if (!open.has(id)) {
        clearTimeout(timer);
        this.timers.delete(id);
      }
    }
    for (const change of this.visible(this.state.open)) {
      if (this.timers.has(change.changeId) || this.reverting.has(change.changeId)) continue;
      // Timers past ~24.8 days overflow; deadlines are at most an hour away.
      const timer = setTimeout(() => void this.expire(change.changeId), Math.max(0, Math.min(change.deadline - Date.now(), 3_600_000 + 60_000)));
      this.timers.set(change.changeId, timer);
    }
  }

  private disarm(changeId: string): void {
    clearTimeout(this.timers.get(changeId));
    this.timers.delete(changeId);
  }

  /** The deadline of a change passed: revert it, unless another process settles it. */
  private async expire(changeId: string): Promise<void> {
    this.timers.delete(changeId);
    await this.scan().catch(() => undefined);
    const change = this.state.open.find((c) => c.changeId === changeId);
    if (!change || this.stopped || this.reverting.has(changeId)) return;
    if (Date.now() < change.deadline) return this.arm();
    let mine = await this.options.claims.take(changeId, 'revert');
    if (!mine && this.options.takeOverStale) mine = await this.options.claims.takeOver(changeId);
    if (!mine) {
      // Someone else confirms or reverts it; look again in a while in case they die on the way.
      this.timers.set(changeId, setTimeout(() => void this.expire(changeId), 10_000));
      return;
    }
    await this.revert(change, AGENT_ACTOR, expiryReason(change));
  }

  /** Undoes a claimed change, audited per attempt; retries, then records the last attempt as final. */
  private async revert(change: OpenChange, actor: Actor, reason: string): Promise<{ ok: boolean; message: string }> {
    const { changeId, kind, summary } = change;
    this.reverting.add(changeId);
    const verb = kind === 'rule' ? 'removed' : 'reverted';
    let message = '';
    try {
      for (let attempt = change.attempts + 1; attempt <= MAX_REVERT_ATTEMPTS; attempt++) {
        const final = attempt === MAX_REVERT_ATTEMPTS;
        const entry = await this.options.audit.begin({ actor, action: REVERT_ACTION, target: changeId, details: { changeId, kind, summary, reason, attempt, final } });
        try {
          const after = await this.undo(change, actor);
          await this.options.audit.finish(entry, { result: 'ok', after });
          this.options.logger?.warn({ changeId, kind, summary, reason }, `change ${verb}: ${reason}`);
          return { ok: true, message: `${verb}: ${reason}` };
        } catch (err) {
          message = (err as Error).message.slice(0, 500);
          await this.options.audit.finish(entry, { result: 'error', error: message });
          this.options.logger?.error({ changeId, kind, summary, attempt, final, err: message }, 'could not undo an unconfirmed change');
          if (!final) await sleep(this.options.retryMs ?? 5_000);
        }
      }
      return { ok: false, message: `could not undo the change after ${MAX_REVERT_ATTEMPTS} attempts: ${message}` };
    } finally {
      this.reverting.delete(changeId);
      await this.scan().catch(() => undefined);
    }
  }

  private async undo(change: OpenChange, actor: Actor): Promise<Record<string, unknown>> {
    if (change.kind === 'sysctl') {
      const answer = await this.options.undo.sysctl.rollbackChange(actor, change.changeId, true);
      if (answer.ok) return { applied: answer.data.applied };
      // Rolled back by hand meanwhile (the tuning page's "Roll back"): nothing left to undo.
      if (answer.code === 'NOT_FOUND') return { alreadyRolledBack: true };
      throw new Error(answer.message);
    }
    let removed = 0;
    for (const id of change.ruleIds) {
      const answer = await this.options.undo.rules.remove(actor, { id });
      if (!answer.ok) throw new Error(answer.message);
      removed += answer.data.removed;
    }
    return { removed };
  }

  private notOpen(changeId: string): ConfirmAnswer<never> {
    const ended = this.state.recent.find((o) => o.changeId === changeId);
    if (ended?.outcome === 'confirmed') return { ok: false, code: 'CONFLICT', message: `already confirmed by ${ended.by}` };
    if (ended) return { ok: false, code: 'CONFLICT', message: `too late: ${ended.message}` };
    return { ok: false, code: 'NOT_FOUND', message: `no change ${changeId} waits for a confirmation on this host` };
  }

  private async claimedBySomeone(changeId: string): Promise<ConfirmAnswer<never>> {
    const claim = await this.options.claims.read(changeId);
    if (claim?.purpose === 'confirm') return { ok: false, code: 'CONFLICT', message: 'already confirmed' };
    return { ok: false, code: 'CONFLICT', message: 'too late: the change is being reverted' };
  }
}
