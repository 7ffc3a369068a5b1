import { createServer, type Server } from 'node:http';
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import { renderMetrics, type MetricsSnapshot } from './render';

export class MetricsBindError extends Error {}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

export interface MetricsServerOptions {
  host: string;
  port: number;
  allowRemote: boolean;
  snapshot(): MetricsSnapshot;
  health(): { ok: boolean } & Record<string, unknown>;
  logger: Logger;
}

/** GET /metrics (Prometheus) and /healthz (JSON); served whatever the dashboard link is doing. */
export async function startMetricsServer(options: MetricsServerOptions): Promise<Server> {
  if (!isLoopback(options.host) && !options.allowRemote) {
    throw new MetricsBindError(`--metrics ${options.host}:${options.port} is not a loopback address; add --metrics-allow-remote to expose metrics on the network`);
  }
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' && path !== '/healthz') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics or /healthz\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    try {
      if (path === '/metrics') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(renderMetrics(options.snapshot()));
      } else {
        const health = options.health();
        res.writeHead(health.ok ? 200 : 503, { 'content-type': 'application/json' }).end(`${JSON.stringify(health)}\n`);
      }
    } catch (err) {
      options.logger.error({ err: (err as Error).message }, 'rendering metrics failed');
      res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
