'use client';

import { useSyncExternalStore } from 'react';

const never = () => () => {};

/**
 * False in the server's HTML and during hydration, true once React runs the page in the browser. Inputs
 * use it to stay read-only until then: React resets a controlled input to its state when it hydrates, so
 * anything typed into the server's HTML would be silently lost.
 */
export const useHydrated = (): boolean =>
  useSyncExternalStore(
    never,
    () => true,
    () => false,
  );
