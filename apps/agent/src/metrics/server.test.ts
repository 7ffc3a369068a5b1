import type { AddressInfo } from 'node:net';
import { request } from 'node:http';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { isLoopback } from './loopback';
import { MetricsBindError, checkMetricsBind, startMetricsServer, type MetricsServerOptions } from './server';
import { parseExposition, valueOf } from './testing/parse-exposition';
import { SNAPSHOT } from './testing/snapshot';

describe('loopback check', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1'])('%s is loopback', (host) => {
    expect(isLoopback(host)).toBe(true);
  });
  it.each(['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', '::ffff:10.0.0.1', 'example.org', '', '127.0.0.1.example.org'])('%s is not', (host) => {
    expect(isLoopback(host)).toBe(false);
  });
  it('refuses remote binds with a message that says how to allow them', () => {
    expect(() => checkMetricsBind('0.0.0.0', 9477, false)).toThrow(/--metrics-allow-remote/);
    expect(() => checkMetricsBind('0.0.0.0', 9477, true)).not.toThrow();
    expect(() => checkMetricsBind('127.0.0.1', 70_000, false)).toThrow(MetricsBindError);
  });
});

describe('metrics server', () => {
  const servers: Array<{ close(): void }> = [];
  afterEach(() => servers.splice(0).forEach((s) => s.close()));
  const logger = pino({ level: 'silent' });

  async function start(over: Partial<MetricsServerOptions> = {}) {
    const server = await startMetricsServer({ host: '127.0.0.1', port: 0, allowRemote: false, snapshot: () => SNAPSHOT, health: () => ({ ok: true, entries: 5 }), logger, ...over });
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('serves /metrics and /healthz on loopback; 404 and 405 otherwise', async () => {
    const base = await start();
    const metrics = await fetch(`${base}/metrics?x=1`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(valueOf(parseExposition(await metrics.text()), 'node_nf_conntrack_entries')).toBe(5);
    const health = await fetch(`${base}/healthz`);
    expect(health.headers.get('content-type')).toBe('application/json');
    expect(await health.json()).toEqual({ ok: true, entries: 5 });
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(`${base}/metrics/extra`)).status).toBe(404);
    const post = await fetch(`${base}/metrics`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect((await fetch(`${base}/healthz`, { method: 'DELETE' })).status).toBe(405);
  });

  it('answers HEAD without a body', async () => {
    const base = await start();
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${base}/metrics`, { method: 'HEAD' }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(200);
    expect(body).toBe('');
  });

  it('asks the providers on every scrape, says 503 when unhealthy and 500 when a provider throws', async () => {
    let connected = false;
    let scrapes = 0;
    let healthy = false;
    const base = await start({
      snapshot: () => {
        scrapes++;
        if (scrapes === 3) throw new Error('boom');
        return { ...SNAPSHOT, dashboardConnected: connected };
      },
      health: () => ({ ok: healthy, dashboardConnected: connected, lastSampleAgeMs: null }),
    });
    expect(valueOf(parseExposition(await (await fetch(`${base}/metrics`)).text()), 'ctscope_dashboard_connected')).toBe(0);
    connected = true;
    expect(valueOf(parseExposition(await (await fetch(`${base}/metrics`)).text()), 'ctscope_dashboard_connected')).toBe(1);
    const failed = await fetch(`${base}/metrics`);
    expect(failed.status).toBe(500);
    expect(await failed.text()).not.toContain('boom');
    const unhealthy = await fetch(`${base}/healthz`);
    expect(unhealthy.status).toBe(503);
    expect(await unhealthy.json()).toEqual({ ok: false, dashboardConnected: true, lastSampleAgeMs: null });
    healthy = true;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('refuses a non-loopback address unless allowed, and reports a busy port', async () => {
    await expect(start({ host: '0.0.0.0' })).rejects.toThrow(MetricsBindError);
    const base = await start();
    await expect(start({ port: Number(new URL(base).port) })).rejects.toThrow(/EADDRINUSE/);
  });

  it('binds IPv6 loopback', async () => {
    const server = await startMetricsServer({ host: '::1', port: 0, allowRemote: false, snapshot: () => SNAPSHOT, health: () => ({ ok: true }), logger });
    servers.push(server);
    const { port } = server.address() as AddressInfo;
    expect((await fetch(`http://[::1]:${port}/healthz`)).status).toBe(200);
  });
});
