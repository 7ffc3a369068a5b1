'use client';

import { useSyncExternalStore } from 'react';
import { currentChoice, resolvedTheme, subscribeTheme, type ResolvedTheme, type ThemeChoice } from './theme-store';

/** The theme in effect; the server renders light and the browser corrects it before paint. */
export const useResolvedTheme = (): ResolvedTheme => useSyncExternalStore(subscribeTheme, resolvedTheme, () => 'light');

export const useThemeChoice = (): ThemeChoice => useSyncExternalStore(subscribeTheme, currentChoice, () => 'system');
