import { ErrorCode } from '@ctscope/protocol';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { sendError } from './send-error';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The last error handler, whatever NODE_ENV says: a status and a short sentence, never a stack or a
 * file path (Express's own handler prints the stack outside production). Browsers get a small page,
 * everything else JSON shaped like the API's errors.
 */
export function finalErrorHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const status = typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number' ? err.status : 500;
    const client = status >= 400 && status < 500;
    if (!client) logger.error({ err, method: req.method, url: req.originalUrl }, 'request failed');
    const [code, message] = client ? [ErrorCode.BadRequest, 'the request could not be understood (check the address)'] : [ErrorCode.Internal, 'internal error; see the dashboard log'];
    const answer = client ? status : 500;
    if (req.accepts(['json', 'html']) === 'html') {
      res.status(answer).type('html').send(`<!doctype html><meta charset="utf-8"><title>ctscope: error ${answer}</title><h1>Error ${answer}</h1><p>${escapeHtml(message)}</p><p><a href="/">Back to ctscope</a></p>`);
      return;
    }
    sendError(res, answer, code, message);
  };
}
