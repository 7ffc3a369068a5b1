'use client';

import type { ColumnVisibilityState } from '@tanstack/react-table';
import { useEffect, useState } from 'react';
import { z } from 'zod';
import { replaceSearchParams } from '../live/url-state';
import { DEFAULT_VISIBILITY, flowColumns } from './flow-columns';

const STORAGE_KEY = 'ctscope.connections.columns';
const storedSchema = z.record(z.string(), z.boolean());

/** Visibility from a `cols` parameter (a saved view's visible columns), or null when absent. */
function visibilityFromUrl(): ColumnVisibilityState | null {
  const cols = new URL(window.location.href).searchParams.get('cols');
  if (!cols) return null;
  const shown = new Set(cols.split(','));
  return Object.fromEntries(flowColumns.flatMap((c) => (c.id && c.enableHiding !== false ? [[c.id, shown.has(c.id)]] : [])));
}

/** Column visibility, remembered in this browser (a saved view's `cols` parameter wins for that page). */
export function useColumnVisibility(): [ColumnVisibilityState, (next: ColumnVisibilityState) => void] {
  const [visibility, setVisibility] = useState<ColumnVisibilityState>(DEFAULT_VISIBILITY);
  useEffect(() => {
    const fromUrl = visibilityFromUrl();
    if (fromUrl) return setVisibility(fromUrl);
    try {
      const parsed = storedSchema.safeParse(JSON.parse(window.localStorage.getItem(STORAGE_KEY) ?? 'null'));
      if (parsed.success) setVisibility({ ...DEFAULT_VISIBILITY, ...parsed.data });
    } catch {
      // unreadable: keep the defaults
    }
  }, []);
  const save = (next: ColumnVisibilityState) => {
    setVisibility(next);
    replaceSearchParams({ cols: null });
    try {
      window.localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
    } catch {
      // storage full or disabled: the choice lasts for this page only
    }
  };
  return [visibility, save];
}
