/**
 * Where to go after login: the ?next= value only if it is a path on this very origin, else '/'. The
 * check resolves the value as the browser will (which reads `/\host` and `/<TAB>/host` as `//host`)
 * and returns the resolved path, so what is followed is exactly what was checked.
 */
export function safeNext(next: string | null, origin: string): string {
  if (next === null || !next.startsWith('/')) return '/';
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return '/';
  }
  if (url.origin !== origin || (url.protocol !== 'http:' && url.protocol !== 'https:')) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}
