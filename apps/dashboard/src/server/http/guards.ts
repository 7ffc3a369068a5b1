import { ErrorCode, describeZodError, type Role, type SessionUser } from '@ctscope/protocol';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Store } from '../store/types';
import { sendError } from './send-error';

export type SignedInRequest = Request & { user?: SessionUser & { id: number } };

/** The signed-in user; the API router's session check runs before every route that calls this. */
export function signedIn(req: SignedInRequest): SessionUser & { id: number } {
  if (!req.user) throw new Error('route mounted before the session check');
  return req.user;
}

/** Parses a request part with its schema, answering 400 naming the field when it does not fit. */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, res: Response): z.infer<S> | undefined {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data as z.infer<S>;
  sendError(res, 400, ErrorCode.BadRequest, describeZodError(parsed.error));
  return undefined;
}

/** Writes an audit row for a dashboard change; called before the answer goes out. */
export async function auditChange(store: Store, actor: string, action: string, target: string, detail: unknown, result: 'ok' | 'error' = 'ok'): Promise<void> {
  await store.appendAudit({ at: Date.now(), actor, action, target, detail, result });
}

/**
 * Refuses users without one of `roles`: 403 FORBIDDEN, a warning in the log and an audit row naming what
 * was attempted. Returns whether the request may go on.
 */
export async function allowRoles(deps: { store: Store; logger: Logger }, req: SignedInRequest, res: Response, roles: readonly Role[], action: string, target: string): Promise<boolean> {
  const user = signedIn(req);
  if (roles.includes(user.role)) return true;
  deps.logger.warn({ user: user.username, role: user.role, action, target }, 'refused a dashboard change');
  await auditChange(deps.store, user.username, action, target, { refused: `the ${user.role} role may not do this` }, 'error');
  sendError(res, 403, ErrorCode.Forbidden, roles.length === 1 && roles[0] === 'admin' ? 'only admins can do this' : `the ${user.role} role may not do this`);
  return false;
}

/**
 * CSRF defence in depth (session cookies are already SameSite=Strict): a write whose Origin names another
 * site, or that the browser marks cross-site, is refused. Clients that send no Origin (curl, scripts) pass.
 */
export function sameOriginWrites(allowedOrigins: readonly string[]): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
    if (req.headers['sec-fetch-site'] === 'cross-site') return sendError(res, 403, ErrorCode.Forbidden, 'cross-site requests may not change anything');
    const origin = req.headers.origin;
    if (origin === undefined || allowedOrigins.includes(origin)) return next();
    try {
      if (new URL(origin).host === req.headers.host) return next();
    } catch {
      // not a URL: refused below
    }
    return sendError(res, 403, ErrorCode.Forbidden, 'this origin may not change anything here');
  };
}
