import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { CONTENT_TYPE } from './exposition';
import { isLoopback } from './loopback';
import { renderMetrics, type MetricsSnapshot } from './render';

export { isLoopback } from './loopback';

/** The default --metrics address. */
export const DEFAULT_METRICS_HOST = '127.0.0.1';
export const DEFAULT_METRICS_PORT = 9477;

/** A refused bind address: the message is meant for the operator as it is. */
export class MetricsBindError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetricsBindError';
  }
}

/** /healthz body: `ok` decides 200 or 503; the agent adds entries, dashboardConnected, lastSampleAgeMs. */
export type HealthReport = { ok: boolean; entries?: number; dashboardConnected?: boolean; lastSampleAgeMs?: number | null } & Record<string, unknown>;

export interface MetricsServerOptions {
  host: string;
  /** 0 picks a free port (tests); read it back with server.address(). */
  port: number;
  /** Required to bind anything but loopback: /metrics tells about the host's traffic. */
  allowRemote: boolean;
  /** Called per scrape; must not throw for long (a throw answers 500 and is logged). */
  snapshot(): MetricsSnapshot;
  health(): HealthReport;
  logger: Logger;
}

/** Throws MetricsBindError unless the address may be bound. */
export function checkMetricsBind(host: string, port: number, allowRemote: boolean): void {
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new MetricsBindError(`--metrics port ${port} is not a TCP port (1-65535)`);
  if (!isLoopback(host) && !allowRemote) {
    throw new MetricsBindError(`--metrics ${host}:${port} is not a loopback address; add --metrics-allow-remote to expose metrics on the network`);
  }
}

function route(options: MetricsServerOptions, req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0];
  if (path !== '/metrics' && path !== '/healthz') {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: try /metrics or /healthz\n');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
    return;
  }
  try {
    // Render before writing the status line, so a provider that throws can still get a clean 500.
    if (path === '/metrics') {
      const body = renderMetrics(options.snapshot());
      res.writeHead(200, { 'content-type': CONTENT_TYPE, 'cache-control': 'no-store' }).end(body);
    } else {
      const health = options.health();
      const body = `${JSON.stringify(health)}\n`;
      res.writeHead(health.ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(body);
    }
  } catch (err) {
    options.logger.error({ err: (err as Error).message, path }, 'rendering metrics failed');
    res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('internal error\n');
  }
}

/**
 * GET|HEAD /metrics (Prometheus text) and /healthz (JSON); 404 for other paths, 405 for other methods.
 * Independent of the dashboard link: it answers from the provider callbacks whatever the link does.
 * Rejects with MetricsBindError for a non-loopback host without allowRemote, or with the listen error
 * (EADDRINUSE...). Close it with server.close().
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<Server> {
  checkMetricsBind(options.host, options.port, options.allowRemote);
  const server = createServer((req, res) => route(options, req, res));
  // Scrapers are quick; a slow or idle client must not hold sockets open.
  server.headersTimeout = 5_000;
  server.requestTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  server.maxHeadersCount = 50;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => options.logger.error({ err: err.message }, 'metrics server error'));
  const address = server.address();
  options.logger.info({ metrics: typeof address === 'object' && address ? `${address.address}:${address.port}` : options.host }, 'serving /metrics and /healthz');
  return server;
}
