// With two dashboard servers behind Redis, every server hears every host's samples, but only the one
// holding the agent's connection sends its notifications: a real alert (lost events in a namespace) is
// delivered once, and resolved once, though both servers know the destination.
import { destinationResponseSchema } from '@ctscope/protocol';
import { SPRAY_SCRIPT, skipKernelTests, skipRedisTests, startRedis } from '@ctscope/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { startReceiver, type Received } from '../notify/receiver.testing';
import { Cleanups, agentInNetns, browserSocket, onHostSamples } from './agent-harness';
import { hostState } from './live-harness';
import { startTestCluster } from './test-dashboard';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

const status = (r: Received) => (JSON.parse(r.body) as { status: string; alert: { name: string } });

describe.skipIf(skipKernelTests() || skipRedisTests())('notifications from two dashboard servers sharing Redis, real kernel', () => {
  it('the server holding the agent sends; the other, which sees the same alerts, does not', { timeout: 120_000 }, async () => {
    const hook = await startReceiver();
    cleanups.add(hook.close);
    const redis = await startRedis();
    cleanups.add(() => redis.stop());
    const cluster = await startTestCluster(redis.url);
    cleanups.add(() => cluster.close());
    const { a, b } = cluster;

    // Saved on A; B reads it too (at once here, within 30 s in general).
    const cookie = await a.login();
    const res = await fetch(`${a.url}/api/notifications`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'hook', kind: 'webhook', url: `${hook.url}/hook` }) });
    expect(res.status).toBe(201);
    const { destination } = destinationResponseSchema.parse(await res.json());
    await b.server.notify.reload();

    // A's browser sees the host whose agent is on B: A hears its samples (and alerts) too.
    const browser = await browserSocket(a, cleanups, cookie);
    const online = hostState(browser, true);
    const agent = await agentInNetns(b, cleanups, ['--interval', '0.5', '--event-buffer', '65536', '--alert-clear-after', '4']);
    await online;
    const alertsOnA = new Set<string>();
    onHostSamples(browser, (stats) => {
      for (const alert of stats.sample.alerts ?? []) alertsOnA.add(alert.name);
    });

    await agent.ns.sysctl('net.netfilter.nf_conntrack_udp_timeout', 3600);
    await agent.ns.exec(process.execPath, [SPRAY_SCRIPT, '50000']);
    await hook.waitFor((r) => status(r).status === 'firing' && status(r).alert.name === 'events-lost', 30_000);
    await hook.waitFor((r) => status(r).status === 'resolved' && status(r).alert.name === 'events-lost', 30_000);
    // Time for a second copy from A to arrive, if A were sending too.
    await new Promise((r) => setTimeout(r, 1_500));

    expect(alertsOnA.has('events-lost')).toBe(true);
    expect(hook.received.filter((r) => status(r).alert.name === 'events-lost').map((r) => status(r).status)).toEqual(['firing', 'resolved']);
    expect(b.server.notify.dispatcher.status(destination.id)).toMatchObject({ sent: 2 });
    expect(a.server.notify.dispatcher.status(destination.id)).toMatchObject({ sent: 0, queued: 0 });
  });
});
