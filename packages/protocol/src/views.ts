import { z } from 'zod';
import { EVENT_TYPES, SORT_COLUMNS, querySchema } from './flows';
import { hostIdSchema } from './host';

/** Pages whose state a view can hold. */
export const VIEW_PAGES = ['connections', 'events', 'host'] as const;
export type ViewPage = (typeof VIEW_PAGES)[number];

/** Chart ranges of the host page. */
export const VIEW_RANGES = ['5m', '1h', '24h'] as const;
export type ViewRange = (typeof VIEW_RANGES)[number];

/** Column ids of the connections table (a view remembers which are shown). */
export const viewColumnSchema = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,31}$/, 'column: a column id');

/** Everything a saved view restores: the page and its state. */
export const viewStateSchema = z.object({
  page: z.enum(VIEW_PAGES),
  hostId: hostIdSchema.nullable(),
  query: querySchema,
  /** Visible connection columns, in order; null keeps the viewer's own choice. */
  columns: z.array(viewColumnSchema).max(64).nullable(),
  sort: z.object({ column: z.enum(SORT_COLUMNS), desc: z.boolean() }).nullable(),
  range: z.enum(VIEW_RANGES).nullable(),
  /** Event types shown on the events page; null means all. */
  eventTypes: z.array(z.enum(EVENT_TYPES)).min(1).max(EVENT_TYPES.length).nullable().default(null),
});
export type ViewState = z.infer<typeof viewStateSchema>;

export const viewIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,32}$/, 'view id');
export const viewNameSchema = z
  .string()
  .trim()
  .min(1, 'name: give the view a name')
  .max(80, 'name: at most 80 characters');

export const savedViewSchema = z.object({
  id: viewIdSchema,
  name: z.string(),
  shared: z.boolean(),
  /** Username of the owner; null once the owner's account is deleted. */
  owner: z.string().nullable(),
  /** Whether the asking user may rename or delete it (its owner, or an admin). */
  editable: z.boolean(),
  state: viewStateSchema,
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  /** Where the view opens: the page with its state in the query string. */
  href: z.string(),
});
export type SavedView = z.infer<typeof savedViewSchema>;

export const createViewRequestSchema = z.object({ name: viewNameSchema, shared: z.boolean().default(false), state: viewStateSchema });
export type CreateViewRequest = z.infer<typeof createViewRequestSchema>;

export const updateViewRequestSchema = z
  .object({ name: viewNameSchema.optional(), shared: z.boolean().optional() })
  .refine((v) => v.name !== undefined || v.shared !== undefined, 'give a new name or a sharing choice');
export type UpdateViewRequest = z.infer<typeof updateViewRequestSchema>;

export const viewListResponseSchema = z.object({ views: z.array(savedViewSchema) });
export const viewResponseSchema = z.object({ view: savedViewSchema });

/** The page URL a view opens: its path plus its state in that page's query parameters. */
export function viewHref(state: ViewState): string {
  const params = new URLSearchParams();
  if (state.page !== 'host' && state.hostId) params.set('host', state.hostId);
  if (state.query) params.set('q', state.query);
  if (state.page === 'connections') {
    if (state.sort) {
      params.set('sort', state.sort.column);
      if (state.sort.desc) params.set('desc', '1');
    }
    if (state.columns) params.set('cols', state.columns.join(','));
  }
  if (state.page === 'events' && state.eventTypes && state.eventTypes.length < EVENT_TYPES.length) params.set('types', state.eventTypes.join(','));
  if (state.page === 'host' && state.range) params.set('range', state.range);
  const path = state.page === 'host' ? (state.hostId ? `/hosts/${encodeURIComponent(state.hostId)}` : '/') : `/${state.page}`;
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}
