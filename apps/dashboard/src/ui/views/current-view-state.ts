'use client';

import { EVENT_TYPES, SORT_COLUMNS, VIEW_RANGES, viewStateSchema, type ViewPage, type ViewState } from '@ctscope/protocol';
import { z } from 'zod';
import { DEFAULT_VISIBILITY, flowColumns } from '../connections/flow-columns';

const COLUMNS_KEY = 'ctscope.connections.columns';
const visibilitySchema = z.record(z.string(), z.boolean());

/** Connection columns shown in this browser (the explorer keeps its choice in local storage). */
function visibleColumns(): string[] {
  let stored: Record<string, boolean> = {};
  try {
    const parsed = visibilitySchema.safeParse(JSON.parse(window.localStorage.getItem(COLUMNS_KEY) ?? 'null'));
    if (parsed.success) stored = parsed.data;
  } catch {
    // unreadable: the defaults
  }
  const visibility: Record<string, boolean> = { ...DEFAULT_VISIBILITY, ...stored };
  return flowColumns.flatMap((c) => (c.id && c.enableHiding !== false && visibility[c.id] !== false ? [c.id] : []));
}

const pick = <T extends string>(value: string | null, allowed: readonly T[]): T | null => (value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : null);

/**
 * The page's state as a view: the pages mirror host, filter, sort, event types and range into the address
 * bar; the column choice comes from local storage. The host page passes its host (it is in the path).
 */
export function currentViewState(page: ViewPage, hostId: string | null): ViewState | null {
  const params = new URL(window.location.href).searchParams;
  const sortColumn = pick(params.get('sort'), SORT_COLUMNS);
  const types = (params.get('types') ?? '').split(',').filter((t) => (EVENT_TYPES as readonly string[]).includes(t));
  const state = viewStateSchema.safeParse({
    page,
    hostId: hostId ?? params.get('host'),
    query: params.get('q') ?? '',
    columns: page === 'connections' ? (params.get('cols')?.split(',').filter(Boolean) ?? visibleColumns()) : null,
    sort: page === 'connections' && sortColumn ? { column: sortColumn, desc: params.get('desc') === '1' } : null,
    range: page === 'host' ? (pick(params.get('range'), VIEW_RANGES) ?? '5m') : null,
    eventTypes: page === 'events' && types.length > 0 ? types : null,
  });
  return state.success ? state.data : null;
}
