import { z } from 'zod';

/**
 * Commit confirmed: a sysctl or rule change applied with `confirmWithinMs` undoes itself unless
 * `changes:confirm` names it before its deadline. The agent enforces the deadline by itself (also
 * while the dashboard is away, and after its own restart: the pending change is in its audit log).
 */

/** Most changes waiting for a confirmation on one host at once; more are refused. */
export const MAX_PENDING_CHANGES = 16;
/** What the pages offer as the deadline; the default is 2 min. */
export const CONFIRM_DEADLINE_CHOICES_MS = [30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000] as const;
export const DEFAULT_CONFIRM_WITHIN_MS = 120_000;

const id = z.string().min(1).max(100);
const text = (max: number) => z.string().max(max);

export const changeKindSchema = z.enum(['sysctl', 'rule']);

/** A change that will be undone unless confirmed. `deadline` is on the agent's clock; count down from `remainingMs`. */
export const pendingChangeSchema = z.object({
  /** The agent's audit id of the change: what `changes:confirm` names. */
  changeId: id,
  kind: changeKindSchema,
  /** What it changed, e.g. `nf_conntrack_tcp_timeout_established 432000 → 60` or a rule's summary. */
  summary: text(500),
  user: text(100),
  via: text(20),
  confirmWithinMs: z.number().int().positive(),
  deadline: z.number().int().nonnegative(),
  /** Milliseconds left when the sample was taken (0: the revert is due or under way). */
  remainingMs: z.number().int().nonnegative(),
  /** `reverting`: the deadline passed and the agent is undoing it (failed attempts are retried). */
  state: z.enum(['pending', 'reverting']),
  /** The last failed revert attempt, while it is retried. */
  error: text(1_000).optional(),
});
export type PendingChange = z.infer<typeof pendingChangeSchema>;

/** How a change that waited for a confirmation ended, kept for a few minutes so that pages can say so. */
export const changeOutcomeSchema = z.object({
  changeId: id,
  kind: changeKindSchema,
  summary: text(500),
  outcome: z.enum(['confirmed', 'reverted', 'revert-failed']),
  at: z.number().int().nonnegative(),
  /** Who confirmed or reverted it (`ctscope-agent` when the deadline passed). */
  by: text(100),
  /** For a person: e.g. `removed: not confirmed within 60 s`. */
  message: text(1_000),
});
export type ChangeOutcome = z.infer<typeof changeOutcomeSchema>;

/** Carried by stats samples while something is pending or ended in the last minutes. */
export const pendingChangesSchema = z.object({
  pending: z.array(pendingChangeSchema).max(MAX_PENDING_CHANGES),
  recent: z.array(changeOutcomeSchema).max(20),
});
export type PendingChanges = z.infer<typeof pendingChangesSchema>;

/** `changes:confirm` keeps a change; `changes:revert` undoes it now instead of at its deadline. */
export const changeRefSchema = z.object({ changeId: id });
export type ChangeRef = z.infer<typeof changeRefSchema>;
export const changeOutcomeResultSchema = z.object({ changeId: id, outcome: z.enum(['confirmed', 'reverted']), message: text(1_000) });
export type ChangeOutcomeResult = z.infer<typeof changeOutcomeResultSchema>;
