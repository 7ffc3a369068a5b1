// Alert notifications for real: a real agent in a namespace loses kernel events (a 64 KiB event buffer
// and a burst of 50,000 new UDP flows), raises `events-lost`, and the dashboard sends it to Debian's
// prometheus-alertmanager on loopback, to a generic webhook and to a Slack-compatible one, both served
// by this test. Alertmanager's own API shows the alert with our labels; once the agent clears it, the
// dashboard resolves it, and Alertmanager tells its receiver "resolved".
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { destinationResponseSchema } from '@ctscope/protocol';
import { SPRAY_SCRIPT, freePort, skipKernelTests } from '@ctscope/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startReceiver, type Received } from '../notify/receiver.testing';
import { SIGNATURE_HEADER } from '../notify/webhook';
import { Cleanups, collectOutput, stop, tempDir } from './agent-harness';
import { onlineAgent } from './live-harness';

const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';
const HMAC_SECRET = 'the webhook signing secret';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

const amAlertSchema = z.object({
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()),
  startsAt: z.string(),
  endsAt: z.string(),
  generatorURL: z.string().optional(),
  status: z.object({ state: z.string() }),
});

/** Debian's Alertmanager on a loopback port, no clustering, relaying to `webhookUrl` (resolved too). */
async function startAlertmanager(webhookUrl: string): Promise<string> {
  const dir = await tempDir(cleanups);
  const port = await freePort();
  const config = join(dir, 'alertmanager.yml');
  await writeFile(
    config,
    `route:
  receiver: relay
  group_by: ['alertname', 'host']
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: relay
    webhook_configs:
      - url: ${webhookUrl}
        send_resolved: true
`,
  );
  const child = spawn(ALERTMANAGER, [`--config.file=${config}`, `--storage.path=${dir}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = collectOutput(child);
  cleanups.add(() => stop(child));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ready = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ready) return url;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`Alertmanager did not start: ${output.text()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function activeAlerts(amUrl: string) {
  const res = await fetch(`${amUrl}/api/v2/alerts?active=true&silenced=false&inhibited=false`);
  return z.array(amAlertSchema).parse(await res.json());
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const body = (r: Received) => JSON.parse(r.body) as Record<string, unknown> & { status?: string; alert?: { name: string }; text?: string; alerts?: { status: string; labels: Record<string, string> }[] };

describe.skipIf(skipKernelTests() || !existsSync(ALERTMANAGER))('alert notifications, real agent and real Alertmanager', () => {
  it('events-lost reaches Alertmanager (v2 API), a signed webhook and Slack; each resolves when the agent clears it', { timeout: 150_000 }, async () => {
    const hooks = await startReceiver();
    cleanups.add(hooks.close);
    const amUrl = await startAlertmanager(`${hooks.url}/from-alertmanager`);
    const { dash, hostId, ns } = await onlineAgent(cleanups, ['--interval', '0.5', '--event-buffer', '65536', '--alert-clear-after', '4']);
    const admin = await dash.login();
    const hostname = (await dash.server.store.findHost(hostId))?.hostname ?? '';
    expect(hostname).not.toBe('');

    const create = async (destination: Record<string, unknown>) => {
      const res = await fetch(`${dash.url}/api/notifications`, { method: 'POST', headers: { cookie: admin, 'content-type': 'application/json' }, body: JSON.stringify(destination) });
      expect(res.status).toBe(201);
      return destinationResponseSchema.parse(await res.json()).destination;
    };
    await create({ name: 'alertmanager', kind: 'alertmanager', url: amUrl });
    await create({ name: 'webhook', kind: 'webhook', url: `${hooks.url}/webhook/secret-part`, hmacSecret: HMAC_SECRET, hosts: [hostname] });
    await create({ name: 'slack', kind: 'slack', url: `${hooks.url}/slack/T0/B0/X` });
    // Routed away: another host only, and critical only (events-lost is a warning).
    await create({ name: 'elsewhere', kind: 'webhook', url: `${hooks.url}/elsewhere`, hosts: ['some-other-host'] });
    await create({ name: 'critical-only', kind: 'webhook', url: `${hooks.url}/critical-only`, minSeverity: 'critical' });

    // 50,000 new flows at once overrun a 64 KiB event buffer: the kernel reports lost events. They stay
    // (no burst of destroy events 30 s later to raise the alert again while the test counts).
    await ns.sysctl('net.netfilter.nf_conntrack_udp_timeout', 3600);
    await ns.exec(process.execPath, [SPRAY_SCRIPT, '50000']);

    const inAm = await until(
      'Alertmanager shows events-lost for the host',
      async () => (await activeAlerts(amUrl)).find((a) => a.labels.alertname === 'events-lost' && a.labels.host === hostname),
      30_000,
    );
    expect(inAm.labels).toMatchObject({ alertname: 'events-lost', host: hostname, host_id: hostId, severity: 'warning', source: 'ctscope' });
    expect(inAm.annotations.summary).toBe(`events-lost on ${hostname}`);
    expect(inAm.annotations.description).toMatch(/event/i);
    expect(inAm.status.state).toBe('active');

    const firing = await hooks.waitFor((r) => r.path === '/webhook/secret-part' && body(r).status === 'firing');
    expect(body(firing)).toMatchObject({ version: 1, status: 'firing', test: false, host: { id: hostId, hostname }, alert: { name: 'events-lost', severity: 'warning' } });
    const signature = String(firing.headers[SIGNATURE_HEADER.toLowerCase()]);
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature) ?? [];
    expect(v1).toBe(createHmac('sha256', HMAC_SECRET).update(`${t}.${firing.body}`).digest('hex'));
    const slack = await hooks.waitFor((r) => r.path === '/slack/T0/B0/X');
    expect(body(slack).text).toMatch(new RegExp(`^\\[warning\\] events-lost on ${hostname}: `));
    // Alertmanager routed it to its own receiver too.
    await hooks.waitFor((r) => r.path === '/from-alertmanager' && (body(r).alerts ?? []).some((a) => a.status === 'firing' && a.labels.alertname === 'events-lost'));

    // Quiet for 4 s: the agent clears it, the dashboard resolves it everywhere.
    await hooks.waitFor((r) => r.path === '/webhook/secret-part' && body(r).status === 'resolved', 30_000);
    await hooks.waitFor((r) => r.path === '/slack/T0/B0/X' && String(body(r).text).startsWith('[resolved] events-lost'), 10_000);
    await until('Alertmanager no longer shows events-lost as active', async () => ((await activeAlerts(amUrl)).some((a) => a.labels.alertname === 'events-lost') ? undefined : true), 15_000);
    await hooks.waitFor((r) => r.path === '/from-alertmanager' && (body(r).alerts ?? []).some((a) => a.status === 'resolved' && a.labels.alertname === 'events-lost'), 15_000);

    // Sent once each: one firing and one resolved per destination, nothing to the routed-away ones.
    const count = (path: string) => hooks.received.filter((r) => r.path === path && (body(r).alert?.name === 'events-lost' || String(body(r).text).includes('events-lost'))).length;
    expect([count('/webhook/secret-part'), count('/slack/T0/B0/X')]).toEqual([2, 2]);
    expect(hooks.received.filter((r) => r.path === '/elsewhere' || r.path === '/critical-only')).toEqual([]);
  });
});
