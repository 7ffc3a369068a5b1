import type { HostSummary, WindowResult, WindowSpec } from '@ctscope/protocol';

/** A host's window as the connections page first shows it, read while the page is rendered. */
export interface FirstWindow {
  hostId: string;
  hosts: HostSummary[];
  spec: WindowSpec;
  result: WindowResult;
}

/** The first window for the session in `cookieHeader`, or null (no session, no host online, too slow). */
export type FirstWindowLoader = (cookieHeader: string | null, requestedHost: string | null, spec: WindowSpec) => Promise<FirstWindow | null>;

// Next.js renders pages from its own bundle of this module: both sides meet on a global.
const KEY = Symbol.for('ctscope.firstWindowLoader');
type Holder = { [KEY]?: FirstWindowLoader | undefined };

/** Called by the dashboard server that serves the pages (undefined when it closes). */
export function setFirstWindowLoader(loader: FirstWindowLoader | undefined): void {
  (globalThis as Holder)[KEY] = loader;
}

/** The loader of the dashboard serving this page, if there is one. */
export function firstWindowLoader(): FirstWindowLoader | undefined {
  return (globalThis as Holder)[KEY];
}
