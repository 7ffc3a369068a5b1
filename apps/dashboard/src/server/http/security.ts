import helmet from 'helmet';
import type { RequestHandler } from 'express';

/**
 * Security headers. Next.js hydrates with inline scripts, so scripts allow 'unsafe-inline' (and eval in
 * development for fast refresh); everything else is same-origin only. HSTS and upgrade-insecure-requests
 * only make sense when served over HTTPS.
 */
export function securityHeaders(options: { dev: boolean; https: boolean }): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'script-src': ["'self'", "'unsafe-inline'", ...(options.dev ? ["'unsafe-eval'"] : [])],
        'connect-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'upgrade-insecure-requests': options.https ? [] : null,
      },
    },
    strictTransportSecurity: options.https,
  });
}
