import { readCatalog, type ReadOptions } from '../catalog/discover';
import { executePlan, type AppliedChange, type ChangeOutcome, type ExecuteOptions } from './execute';
import { planChange } from './plan';

export type ApplyOptions = ReadOptions & ExecuteOptions;

/** Reads the catalog, plans and executes in one call (validation errors throw SysctlValidationError). */
export async function applyChanges(input: unknown, options: ApplyOptions = {}): Promise<ChangeOutcome> {
  const catalog = await readCatalog(options);
  return executePlan(planChange(catalog, input), options);
}

export interface PreviousValue {
  name: string;
  value: number;
}

/** The values to go back to after a successful change (feed them to rollback()). */
export function previousValues(applied: readonly AppliedChange[]): PreviousValue[] {
  return applied.map((a) => ({ name: a.name, value: a.before }));
}

/**
 * One-click rollback: sets the given parameters back to earlier values, as a new validated
 * transaction (so it is audited, conflict-checked and rolled back itself if it fails halfway).
 */
export async function rollback(previous: readonly PreviousValue[], options: ApplyOptions = {}): Promise<ChangeOutcome> {
  return applyChanges({ changes: previous.map((p) => ({ name: p.name, value: p.value })) }, options);
}
