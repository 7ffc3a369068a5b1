import type { ChangeOutcome, PendingChange } from '@ctscope/protocol';
import { z } from 'zod';
import type { AuditRecord } from '../audit';

/** Audit actions of commit-confirmed changes (besides the change itself: `sysctl.set`, `rules.apply`). */
export const CONFIRM_ACTION = 'changes.confirm';
export const REVERT_ACTION = 'changes.revert';
export const CONFIRMABLE_ACTIONS = ['sysctl.set', 'rules.apply'] as const;
/** Who reverts a change whose deadline passed. */
export const AGENT_ACTOR = { user: 'ctscope-agent', role: 'admin' } as const;
/** Revert attempts before a change is shown as failed. */
export const MAX_REVERT_ATTEMPTS = 3;

/** What a confirmable change carries in its audit details (`details.confirm`). */
export const confirmDetailsSchema = z.object({ withinMs: z.number().int().positive() });

const sysctlDetailsSchema = z.object({ changes: z.array(z.object({ name: z.string(), before: z.number(), after: z.number() })), confirm: confirmDetailsSchema });
const ruleDetailsSchema = z.object({ id: z.string(), summary: z.string(), confirm: confirmDetailsSchema });
const ruleAfterSchema = z.object({ changed: z.boolean(), companions: z.array(z.string()).optional() });
const revertDetailsSchema = z.object({ changeId: z.string(), reason: z.string(), attempt: z.number().int(), final: z.boolean() });
const confirmRecordSchema = z.object({ changeId: z.string() });
const rollbackSchema = z.object({ rollbackOf: z.string() });

/** A change waiting for its confirmation, as read back from the audit log. */
export interface OpenChange {
  changeId: string;
  kind: 'sysctl' | 'rule';
  summary: string;
  user: string;
  via: string;
  withinMs: number;
  deadline: number;
  /** For a rule: the rule ids to remove (the rule and its companions). */
  ruleIds: string[];
  /** Failed revert attempts so far, and the last error. */
  attempts: number;
  error?: string;
}

export interface ConfirmState {
  open: OpenChange[];
  recent: ChangeOutcome[];
  /** Changes the records show settled (confirmed, reverted, rolled back), whether or not the change itself was among them. */
  settled: Set<string>;
}

const short = (name: string) => name.replace(/^net\.netfilter\./, '');

/** "60 s", "2 min", "1 h", "90 s". */
export function formatWithin(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s % 3600 === 0) return `${s / 3600} h`;
  if (s % 60 === 0 && s >= 120) return `${s / 60} min`;
  return `${s} s`;
}

/** The reason an unconfirmed change is reverted, as its audit record and the pages say it. */
export const expiryReason = (change: Pick<OpenChange, 'withinMs'>) => `not confirmed within ${formatWithin(change.withinMs)}`;

function openChange(record: AuditRecord): OpenChange | null {
  if (record.result !== 'ok') return null;
  const base = { changeId: record.id, user: record.actor.user, via: record.actor.via, attempts: 0 };
  if (record.action === 'sysctl.set') {
    const details = sysctlDetailsSchema.safeParse(record.details);
    if (!details.success) return null;
    const { changes, confirm } = details.data;
    const summary = changes.map((c) => `${short(c.name)} ${c.before} → ${c.after}`).join(', ');
    return { ...base, kind: 'sysctl', summary, withinMs: confirm.withinMs, deadline: Date.parse(record.time) + confirm.withinMs, ruleIds: [] };
  }
  if (record.action === 'rules.apply') {
    const details = ruleDetailsSchema.safeParse(record.details);
    const after = ruleAfterSchema.safeParse(record.after);
    // A rule that was in place already is not ours to remove.
    if (!details.success || !after.success || !after.data.changed) return null;
    const { id, summary, confirm } = details.data;
    return { ...base, kind: 'rule', summary: `${summary} (rule ${id})`, withinMs: confirm.withinMs, deadline: Date.parse(record.time) + confirm.withinMs, ruleIds: [id, ...(after.data.companions ?? [])] };
  }
  return null;
}

/**
 * Changes still waiting for a confirmation, and the recent outcomes, from audit records newest first
 * (one line per record id, as `tail()` gives them). A change is settled by a `changes.confirm`, a
 * successful `changes.revert`, or a final failed one; failed attempts before that count as attempts.
 */
export function confirmState(records: readonly AuditRecord[], now: number, recentMs: number): ConfirmState {
  const confirmed = new Map<string, AuditRecord>();
  const reverts = new Map<string, AuditRecord[]>();
  const rolledBack = new Map<string, AuditRecord>();
  const open: OpenChange[] = [];
  const recent: ChangeOutcome[] = [];
  const settled = new Set<string>();
  for (const record of records) {
    if (record.action === CONFIRM_ACTION && record.result === 'ok') {
      const ref = confirmRecordSchema.safeParse(record.details);
      if (ref.success) {
        confirmed.set(ref.data.changeId, record);
        settled.add(ref.data.changeId);
      }
      continue;
    }
    if (record.action === REVERT_ACTION) {
      const ref = revertDetailsSchema.safeParse(record.details);
      if (ref.success) {
        reverts.set(ref.data.changeId, [...(reverts.get(ref.data.changeId) ?? []), record]);
        if (record.result === 'ok' || (record.result === 'error' && ref.data.final)) settled.add(ref.data.changeId);
      }
      continue;
    }
    const rollback = record.action === 'sysctl.set' && record.result === 'ok' ? rollbackSchema.safeParse(record.details) : null;
    if (rollback?.success) {
      rolledBack.set(rollback.data.rollbackOf, record);
      settled.add(rollback.data.rollbackOf);
      continue;
    }
    const change = openChange(record);
    if (!change) continue;
    const confirm = confirmed.get(change.changeId);
    if (confirm) {
      const at = Date.parse(confirm.time);
      if (now - at <= recentMs) recent.push({ changeId: change.changeId, kind: change.kind, summary: change.summary, outcome: 'confirmed', at, by: confirm.actor.user, message: `confirmed by ${confirm.actor.user}` });
      continue;
    }
    const attempts = reverts.get(change.changeId) ?? [];
    const done = attempts.find((r) => r.result === 'ok' || (r.result === 'error' && revertDetailsSchema.safeParse(r.details).data?.final === true));
    if (done) {
      const at = Date.parse(done.time);
      const reason = revertDetailsSchema.safeParse(done.details).data?.reason ?? 'reverted';
      const verb = change.kind === 'rule' ? 'removed' : 'reverted';
      const message = done.result === 'ok' ? `${verb}: ${reason}` : `could not be undone after ${MAX_REVERT_ATTEMPTS} attempts (${done.error ?? 'failed'}); undo it by hand`;
      // A failed revert stays visible for a day: someone has to act on it.
      if (now - at <= (done.result === 'ok' ? recentMs : 86_400_000)) recent.push({ changeId: change.changeId, kind: change.kind, summary: change.summary, outcome: done.result === 'ok' ? 'reverted' : 'revert-failed', at, by: done.actor.user, message });
      continue;
    }
    // Rolled back by hand (the tuning page's "Roll back", `ctscope sysctl rollback`): nothing left to undo.
    const manual = rolledBack.get(change.changeId);
    if (manual) {
      const at = Date.parse(manual.time);
      if (now - at <= recentMs) recent.push({ changeId: change.changeId, kind: change.kind, summary: change.summary, outcome: 'reverted', at, by: manual.actor.user, message: `rolled back by ${manual.actor.user}` });
      continue;
    }
    const failed = attempts.filter((r) => r.result === 'error');
    const last = failed[0];
    open.push({ ...change, attempts: failed.length, ...(last?.error !== undefined ? { error: last.error } : {}) });
  }
  return { open: open.reverse(), recent: recent.slice(0, 20), settled };
}

/** Lines worth parsing when looking for confirmable changes and their outcomes (a substring test, before JSON). */
export const RELEVANT_LINE = /"action":"(sysctl\.set|rules\.apply|changes\.confirm|changes\.revert)"/;

/** The wire form of an open change at `now`. */
export function toPending(change: OpenChange, now: number, reverting: boolean): PendingChange {
  return {
    changeId: change.changeId,
    kind: change.kind,
    summary: change.summary.slice(0, 500),
    user: change.user,
    via: change.via,
    confirmWithinMs: change.withinMs,
    deadline: change.deadline,
    remainingMs: Math.max(0, change.deadline - now),
    state: reverting || change.deadline <= now ? 'reverting' : 'pending',
    ...(change.error !== undefined ? { error: change.error.slice(0, 1_000) } : {}),
  };
}
