import { ErrorCode } from '@ctscope/protocol';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Sessions } from '../auth/sessions';
import { sendError } from './send-error';

const PUBLIC_PREFIXES = ['/_next/', '/api/', '/socket.io/', '/favicon'];
export const LOGIN_PATH = '/login';
const READ_METHODS = new Set(['GET', 'HEAD']);

/**
 * Pages need a session: without one, page requests go to the login page (which returns them after).
 * Pages only read: any other method is refused before it reaches Next.js (no page takes a form post
 * or a server action), with 401 without a session and 405 with one.
 */
export function pageGuard(sessions: Sessions): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (!READ_METHODS.has(req.method)) {
      const user = await sessions.userFromCookieHeader(req.headers.cookie);
      if (!user) return sendError(res, 401, ErrorCode.Unauthenticated, 'log in first: POST /api/auth/login');
      res.setHeader('Allow', 'GET, HEAD');
      return sendError(res, 405, ErrorCode.BadRequest, `pages answer GET and HEAD only, not ${req.method}`);
    }
    if (PUBLIC_PREFIXES.some((p) => req.path.startsWith(p))) return next();
    const user = await sessions.userFromCookieHeader(req.headers.cookie);
    if (req.path === LOGIN_PATH) return user ? res.redirect(303, '/') : next();
    if (user) return next();
    const target = req.originalUrl.startsWith('/') && !req.originalUrl.startsWith('//') ? req.originalUrl : '/';
    res.redirect(303, `${LOGIN_PATH}?next=${encodeURIComponent(target)}`);
  };
}
