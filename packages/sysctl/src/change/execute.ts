import { parseInteger } from '../catalog/entry';
import { errorMessage, nodeIo, type SysctlIo } from '../io';
import type { ChangePlan, PlannedWrite } from './plan';

/** A parameter the transaction wrote and read back. */
export interface AppliedChange {
  name: string;
  before: number;
  after: number;
  readBack: number;
}

export interface RollbackStep {
  name: string;
  /** The value written back (the one found before the transaction). */
  value: number;
  restored: boolean;
  error?: string;
}

export type ChangeFailureCode =
  /** onBeforeWrite threw (e.g. the audit record could not be written): nothing was written. */
  | 'aborted'
  /** A value changed between planning and executing: nothing was written; plan again. */
  | 'conflict'
  /** The kernel refused a write. */
  | 'write-failed'
  /** The kernel accepted a write but reads back something else. */
  | 'readback-mismatch';

export type ChangeOutcome =
  | { ok: true; applied: AppliedChange[]; startedAt: Date; finishedAt: Date }
  | {
      ok: false;
      code: ChangeFailureCode;
      message: string;
      /** The parameter that failed, when one did. */
      failed?: string;
      /** What had been written (and read back) before the failure; all of it was rolled back. */
      applied: AppliedChange[];
      rollback: RollbackStep[];
      /** False when some rollback write failed: the host is left between old and new values. */
      rollbackComplete: boolean;
      startedAt: Date;
      finishedAt: Date;
    };

export interface ExecuteOptions {
  io?: SysctlIo;
  /**
   * Called once, after the conflict check and right before the first write. Write the audit record
   * ("pending") here; throwing aborts the change with nothing written.
   */
  onBeforeWrite?: (plan: ChangePlan) => void | Promise<void>;
}

async function readValue(io: SysctlIo, path: string): Promise<number | null> {
  return parseInteger((await io.readFile(path)).trim());
}

async function rollbackAll(io: SysctlIo, touched: readonly PlannedWrite[]): Promise<RollbackStep[]> {
  const steps: RollbackStep[] = [];
  for (const w of [...touched].reverse()) {
    const step: RollbackStep = { name: w.name, value: w.before, restored: false };
    try {
      if ((await readValue(io, w.path).catch(() => null)) !== w.before) await io.writeExisting(w.path, `${w.before}\n`);
      const now = await readValue(io, w.path);
      step.restored = now === w.before;
      if (!step.restored) step.error = `reads back ${now ?? 'no number'} after restoring ${w.before}`;
    } catch (err) {
      step.error = errorMessage(err);
    }
    steps.push(step);
  }
  return steps;
}

/**
 * Runs a plan as one transaction: checks nothing changed since planning, calls onBeforeWrite, then
 * writes each parameter and reads it back. If any write or read-back fails, every parameter already
 * touched (including the failing one) is written back to its previous value, in reverse order.
 * Never throws for kernel refusals: the outcome says what happened, for the caller's audit.
 * Trusts its plan: pass only plans made by planChange(), never one received from the wire.
 */
export async function executePlan(plan: ChangePlan, options: ExecuteOptions = {}): Promise<ChangeOutcome> {
  const io = options.io ?? nodeIo;
  const startedAt = new Date();
  const writes = plan.items.filter((w) => !w.unchanged);
  const fail = (code: ChangeFailureCode, message: string, extra: { failed?: string; applied?: AppliedChange[]; rollback?: RollbackStep[] } = {}): ChangeOutcome => {
    const rollback = extra.rollback ?? [];
    return {
      ok: false,
      code,
      message,
      ...(extra.failed === undefined ? {} : { failed: extra.failed }),
      applied: extra.applied ?? [],
      rollback,
      rollbackComplete: rollback.every((s) => s.restored),
      startedAt,
      finishedAt: new Date(),
    };
  };
  for (const w of writes) {
    const now = await readValue(io, w.path).catch(() => null);
    if (now !== w.before) {
      return fail('conflict', `${w.name} is ${now ?? 'unreadable'} now, not ${w.before} as when the change was planned: review and plan again`, { failed: w.name });
    }
  }
  try {
    await options.onBeforeWrite?.(plan);
  } catch (err) {
    return fail('aborted', `not applied: ${errorMessage(err)}`);
  }
  const applied: AppliedChange[] = [];
  const touched: PlannedWrite[] = [];
  for (const w of writes) {
    touched.push(w);
    let readBack: number | null;
    try {
      await io.writeExisting(w.path, `${w.after}\n`);
      readBack = await readValue(io, w.path);
    } catch (err) {
      const rollback = await rollbackAll(io, touched);
      return fail('write-failed', `the kernel refused ${w.name} = ${w.after} (${errorMessage(err)}); everything was rolled back`, { failed: w.name, applied, rollback });
    }
    if (readBack !== w.after) {
      const rollback = await rollbackAll(io, touched);
      return fail('readback-mismatch', `${w.name} reads back ${readBack ?? 'no number'} after writing ${w.after}; everything was rolled back`, { failed: w.name, applied, rollback });
    }
    applied.push({ name: w.name, before: w.before, after: w.after, readBack });
  }
  return { ok: true, applied, startedAt, finishedAt: new Date() };
}
