import { randomBytes } from 'node:crypto';
import helmet from 'helmet';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { NONCE_HEADER } from './nonce-header';

/**
 * Security headers. Scripts run only from this origin or with this response's nonce: a fresh random
 * one per request, never 'unsafe-inline' (eval is allowed in development only, for fast refresh).
 * Next.js finds the nonce in the request's Content-Security-Policy header and puts it on its own
 * inline scripts, so the header is copied onto the request, overwriting whatever the client sent.
 * Everything else is same-origin only. HSTS and upgrade-insecure-requests only make sense over HTTPS.
 */
export function securityHeaders(options: { dev: boolean; https: boolean }): RequestHandler[] {
  const nonceOf = (res: Response) => String(res.locals.cspNonce);
  return [
    (req: Request, res: Response, next: NextFunction) => {
      res.locals.cspNonce = randomBytes(18).toString('base64');
      next();
    },
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          'script-src': ["'self'", (_req, res) => `'nonce-${nonceOf(res as Response)}'`, ...(options.dev ? ["'unsafe-eval'"] : [])],
          'connect-src': ["'self'"],
          'img-src': ["'self'", 'data:'],
          'upgrade-insecure-requests': options.https ? [] : null,
        },
      },
      strictTransportSecurity: options.https,
    }),
    (req: Request, res: Response, next: NextFunction) => {
      req.headers['content-security-policy'] = String(res.getHeader('Content-Security-Policy'));
      delete req.headers['content-security-policy-report-only'];
      req.headers[NONCE_HEADER] = nonceOf(res);
      next();
    },
  ];
}
