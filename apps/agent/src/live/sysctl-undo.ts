import { z } from 'zod';
import type { AuditRecord } from '../audit';

/** A recorded sysctl change that `rollback` can undo. */
export interface UndoTarget {
  /** Audit id of the change (the rollback records it as `details.rollbackOf`). */
  id: string;
  time: string;
  user: string;
  via: string;
  /** Per parameter: the value to go back to, and the value the change left (null if not recorded). */
  changes: { name: string; back: number; left: number | null }[];
}

const setDetailsSchema = z.object({
  changes: z.array(z.object({ name: z.string(), before: z.number(), after: z.number() })).min(1),
  rollbackOf: z.string().optional(),
});

/**
 * The change to undo, given `sysctl.set` records newest first: the newest successful change that is
 * neither a rollback itself nor rolled back already. So repeated rollbacks walk back through the
 * history, and a new change after a rollback is the next one undone. With `id`, that change, if it is
 * one that may be undone.
 */
export function changeToUndo(records: readonly AuditRecord[], id?: string): UndoTarget | null {
  const undone = new Set<string>();
  for (const record of records) {
    if (record.action !== 'sysctl.set' || record.result !== 'ok') continue;
    const details = setDetailsSchema.safeParse(record.details);
    if (!details.success) continue;
    if (details.data.rollbackOf !== undefined) {
      undone.add(details.data.rollbackOf);
      continue;
    }
    if (undone.has(record.id) || (id !== undefined && record.id !== id)) continue;
    const after = typeof record.after === 'object' && record.after !== null && !Array.isArray(record.after) ? record.after : {};
    return {
      id: record.id,
      time: record.time,
      user: record.actor.user,
      via: record.actor.via,
      changes: details.data.changes.map((c) => {
        const readBack = after[c.name];
        return { name: c.name, back: c.before, left: typeof readBack === 'number' ? readBack : null };
      }),
    };
  }
  return null;
}
