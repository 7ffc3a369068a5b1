import { nodeIo, type SysctlIo } from '../io';
import { writeFileAtomic } from './atomic';
import type { FilePlan, PersistPlan } from './plan';

/** A persisted file changed on disk between the preview and the save. */
export class PersistConflictError extends Error {
  readonly code = 'conflict' as const;
  constructor(readonly path: string) {
    super(`${path} changed since the diff was shown: preview again before saving`);
    this.name = 'PersistConflictError';
  }
}

export interface PersistResult {
  /** Files actually replaced (unchanged files are not rewritten). */
  written: string[];
}

/**
 * Saves a plan from planPersist(): each changed file replaced atomically, only if it still holds
 * what the diff was computed against. Touches no file besides 90-ctscope.conf and
 * modules-load.d/ctscope.conf.
 */
export async function writePersistPlan(plan: PersistPlan, io: SysctlIo = nodeIo): Promise<PersistResult> {
  const files: FilePlan[] = [plan.sysctl, plan.modules].filter((f) => f.changed);
  for (const f of files) {
    const now = await io.readFile(f.path).catch(() => null);
    if (now !== f.before) throw new PersistConflictError(f.path);
  }
  const written: string[] = [];
  for (const f of files) {
    await writeFileAtomic(f.path, f.after);
    written.push(f.path);
  }
  return { written };
}
