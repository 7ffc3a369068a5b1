import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Sessions } from '../auth/sessions';

const PUBLIC_PREFIXES = ['/_next/', '/api/', '/socket.io/', '/favicon'];
export const LOGIN_PATH = '/login';

/** Pages need a session: without one, page requests go to the login page (which returns them after). */
export function pageGuard(sessions: Sessions): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' || PUBLIC_PREFIXES.some((p) => req.path.startsWith(p))) return next();
    const user = await sessions.userFromCookieHeader(req.headers.cookie);
    if (req.path === LOGIN_PATH) return user ? res.redirect(303, '/') : next();
    if (user) return next();
    const target = req.originalUrl.startsWith('/') && !req.originalUrl.startsWith('//') ? req.originalUrl : '/';
    res.redirect(303, `${LOGIN_PATH}?next=${encodeURIComponent(target)}`);
  };
}
