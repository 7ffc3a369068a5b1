import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { alertsEndpoint, sendAlertmanager } from './alertmanager';
import { postOnce } from './http-post';
import { maskUrl } from './mask';
import { startReceiver } from './receiver.testing';
import { sendSlack } from './slack';
import type { DestinationRecord, NotifyEvent } from './types';
import { sendWebhook, SIGNATURE_HEADER } from './webhook';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});
async function receiver(...args: Parameters<typeof startReceiver>) {
  const r = await startReceiver(...args);
  closers.push(r.close);
  return r;
}

const event: NotifyEvent = {
  status: 'firing',
  host: { id: 'h1', hostname: 'gw1' },
  alert: { id: 'table-usage-1', name: 'table-usage', severity: 'critical', message: 'Table 96 % full <raise nf_conntrack_max>', since: Date.UTC(2026, 0, 2, 3, 4, 5) },
  at: Date.UTC(2026, 0, 2, 3, 5, 0),
  repeat: false,
  test: false,
  hostUrl: 'https://ctscope.example.internal/hosts/h1',
};
const dest = (url: string, over: Partial<DestinationRecord> = {}): DestinationRecord => ({ id: 'd', name: 'd', kind: 'webhook', enabled: true, minSeverity: 'warning', hosts: [], url, secret: {}, createdAt: 0, updatedAt: 0, ...over });

/** What a receiver does with X-Ctscope-Signature (the README shows the same steps). */
function verify(secret: string, header: string, body: string, nowSeconds: number): boolean {
  const parts = Object.fromEntries(header.split(',').map((kv) => kv.split('=') as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > 300 || !parts.v1) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe('notification senders, to a receiver on loopback', () => {
  it('webhook: the documented version-1 body, signed with HMAC-SHA256 over timestamp and body', async () => {
    const r = await receiver();
    const secret = 'a-shared-secret-of-some-length';
    expect(await sendWebhook(dest(`${r.url}/hooks/ctscope`, { secret: { hmacSecret: secret } }), event)).toEqual({ ok: true });
    const got = r.received[0];
    expect(got?.path).toBe('/hooks/ctscope');
    expect(got?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(got?.body ?? '')).toEqual({
      version: 1,
      status: 'firing',
      repeat: false,
      test: false,
      at: '2026-01-02T03:05:00.000Z',
      host: { id: 'h1', hostname: 'gw1', url: 'https://ctscope.example.internal/hosts/h1' },
      alert: { id: 'table-usage-1', name: 'table-usage', severity: 'critical', message: 'Table 96 % full <raise nf_conntrack_max>', since: '2026-01-02T03:04:05.000Z' },
    });
    const header = String(got?.headers[SIGNATURE_HEADER.toLowerCase()]);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const now = Math.floor(Date.now() / 1000);
    expect(verify(secret, header, got?.body ?? '', now)).toBe(true);
    expect(verify('another-secret-entirely', header, got?.body ?? '', now)).toBe(false);
    expect(verify(secret, header, (got?.body ?? '').replace('gw1', 'gw2'), now)).toBe(false);
    expect(verify(secret, header, got?.body ?? '', now + 3600)).toBe(false);

    await sendWebhook(dest(r.url), { ...event, status: 'resolved' });
    expect(r.received[1]?.headers[SIGNATURE_HEADER.toLowerCase()]).toBeUndefined();
    expect(JSON.parse(r.received[1]?.body ?? '')).toMatchObject({ status: 'resolved' });
  });

  it('Slack: text plus blocks, mrkdwn escaped, a link to the host', async () => {
    const r = await receiver();
    expect(await sendSlack(dest(`${r.url}/services/T0/B0/XYZ`, { kind: 'slack' }), event)).toEqual({ ok: true });
    const body = JSON.parse(r.received[0]?.body ?? '') as { text: string; blocks: { type: string; text?: { text: string }; elements?: { text: string }[] }[] };
    expect(body.text).toBe('[critical] table-usage on gw1: Table 96 % full <raise nf_conntrack_max>');
    expect(body.blocks.map((b) => b.type)).toEqual(['section', 'context']);
    expect(body.blocks[0]?.text?.text).toBe('*[critical] table-usage on gw1*\nTable 96 % full &lt;raise nf_conntrack_max&gt;');
    expect(body.blocks[1]?.elements?.[0]?.text).toContain('<https://ctscope.example.internal/hosts/h1|open the host>');
  });

  it('Alertmanager: v2 alerts with labels and annotations, bearer auth, endsAt now when resolved', async () => {
    const r = await receiver();
    const am = dest(`${r.url}/am/`, { kind: 'alertmanager', secret: { auth: { type: 'bearer', token: 'tok-123' } } });
    expect(alertsEndpoint(am.url)).toBe(`${r.url}/am/api/v2/alerts`);
    await sendAlertmanager(am, event);
    await sendAlertmanager(am, { ...event, status: 'resolved' });
    expect(r.received.map((x) => x.path)).toEqual(['/am/api/v2/alerts', '/am/api/v2/alerts']);
    expect(r.received[0]?.headers.authorization).toBe('Bearer tok-123');
    const [firing] = JSON.parse(r.received[0]?.body ?? '') as Record<string, unknown>[];
    expect(firing).toEqual({
      labels: { alertname: 'table-usage', host: 'gw1', host_id: 'h1', severity: 'critical', source: 'ctscope' },
      annotations: { summary: 'table-usage on gw1', description: 'Table 96 % full <raise nf_conntrack_max>' },
      startsAt: '2026-01-02T03:04:05.000Z',
      endsAt: '2026-01-02T03:09:00.000Z',
      generatorURL: 'https://ctscope.example.internal/hosts/h1',
    });
    const [resolved] = JSON.parse(r.received[1]?.body ?? '') as Record<string, unknown>[];
    expect(resolved?.endsAt).toBe('2026-01-02T03:05:00.000Z');
  });

  it('failures say what happened without the secret path: status and a bounded snippet, no redirects, refused, timeouts', async () => {
    const r = await receiver((req, res) => {
      if (req.path.startsWith('/moved')) {
        res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' }).end();
      } else if (req.path.startsWith('/slow')) {
        // never answers
      } else res.writeHead(req.path.startsWith('/busy') ? 503 : 404, { 'content-type': 'text/plain' }).end(`no such hook ${'x'.repeat(100_000)}`);
    });
    const notFound = await postOnce(`${r.url}/secret-path-1`, '{}', {});
    expect(notFound).toMatchObject({ ok: false, retry: false });
    expect(notFound.ok ? '' : notFound.error).toMatch(new RegExp(`^${r.url} answered 404: no such hook x+$`));
    expect(notFound.ok ? '' : notFound.error).not.toContain('secret-path-1');
    expect((notFound.ok ? '' : notFound.error).length).toBeLessThan(300);
    expect(await postOnce(`${r.url}/busy`, '{}', {})).toMatchObject({ ok: false, retry: true });
    const moved = await postOnce(`${r.url}/moved`, '{}', {});
    expect(moved).toMatchObject({ ok: false, retry: false, error: expect.stringContaining('redirects are not followed') as unknown });
    expect(r.received.map((x) => x.path)).not.toContain('/elsewhere');
    expect(await postOnce(`${r.url}/slow`, '{}', {}, { timeoutMs: 300 })).toEqual({ ok: false, retry: true, error: `${r.url}: no answer within 0.3 s` });
    const closed = await receiver();
    await closed.close();
    expect(await postOnce(`${closed.url}/x`, '{}', {})).toEqual({ ok: false, retry: true, error: `${closed.url}: connection refused (is the receiver running on that port?)` });
  });

  it('masks addresses for browsers: a webhook path is secret, an Alertmanager address is not', () => {
    expect(maskUrl('https://hooks.slack.com/services/T0/B0/XYZ', 'slack')).toBe('https://hooks.slack.com/services/…');
    expect(maskUrl('https://example.internal/abcdef', 'webhook')).toBe('https://example.internal/…');
    expect(maskUrl('https://example.internal', 'webhook')).toBe('https://example.internal');
    expect(maskUrl('http://127.0.0.1:9093/am', 'alertmanager')).toBe('http://127.0.0.1:9093/am');
  });
});
