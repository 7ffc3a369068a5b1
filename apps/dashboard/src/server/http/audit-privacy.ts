import type { AuditRow, SessionUser } from '@ctscope/protocol';

type Side = Record<string, unknown>;
const isSide = (value: unknown): value is Side => typeof value === 'object' && value !== null && !Array.isArray(value);

/** What others may know of a private view from the audit log: that it exists, its page and host. */
const redactSide = (side: unknown): unknown =>
  isSide(side) ? { name: '(private view)', shared: side.shared, page: side.page, hostId: side.hostId } : side;

/**
 * Audit rows of views, with a private view's name and query (its href) shown only to its owner and to
 * admins. A row is private when the view was private before or after that change; its owner is the one
 * the row names, else the view's current owner, else (a deleted view's creation) the actor.
 */
export async function hidePrivateViews(rows: readonly AuditRow[], user: SessionUser, ownerOf: (viewId: string) => Promise<string | undefined>): Promise<AuditRow[]> {
  if (user.role === 'admin') return [...rows];
  const owners = new Map<string, Promise<string | undefined>>();
  return Promise.all(
    rows.map(async (row) => {
      if (!row.target.startsWith('view:') || !isSide(row.detail)) return row;
      const sides = [row.detail.before, row.detail.after].filter(isSide);
      if (!sides.some((side) => side.shared === false)) return row;
      const viewId = row.target.slice('view:'.length);
      const named = sides.map((side) => side.owner).find((owner): owner is string => typeof owner === 'string');
      if (!owners.has(viewId)) owners.set(viewId, ownerOf(viewId));
      const owner = named ?? (await owners.get(viewId)) ?? (row.action === 'view.create' ? row.actor : undefined);
      if (owner === user.username) return row;
      return { ...row, detail: { ...row.detail, before: redactSide(row.detail.before), after: redactSide(row.detail.after) } };
    }),
  );
}
