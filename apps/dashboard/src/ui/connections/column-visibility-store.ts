'use client';

import type { ColumnVisibilityState } from '@tanstack/react-table';
import { useEffect, useState } from 'react';
import { z } from 'zod';
import { DEFAULT_VISIBILITY } from './flow-columns';

const STORAGE_KEY = 'ctscope.connections.columns';
const storedSchema = z.record(z.string(), z.boolean());

/** Column visibility, remembered in this browser. */
export function useColumnVisibility(): [ColumnVisibilityState, (next: ColumnVisibilityState) => void] {
  const [visibility, setVisibility] = useState<ColumnVisibilityState>(DEFAULT_VISIBILITY);
  useEffect(() => {
    try {
      const parsed = storedSchema.safeParse(JSON.parse(window.localStorage.getItem(STORAGE_KEY) ?? 'null'));
      if (parsed.success) setVisibility({ ...DEFAULT_VISIBILITY, ...parsed.data });
    } catch {
      // unreadable: keep the defaults
    }
  }, []);
  const save = (next: ColumnVisibilityState) => {
    setVisibility(next);
    try {
      window.localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
    } catch {
      // storage full or disabled: the choice lasts for this page only
    }
  };
  return [visibility, save];
}
