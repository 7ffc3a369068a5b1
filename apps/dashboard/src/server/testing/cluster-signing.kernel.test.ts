// Whoever can publish to the cluster's Redis cannot speak for a dashboard server: unsigned messages are dropped.
import { readFile } from 'node:fs/promises';
import type { HostSummary, RulePreview } from '@ctscope/protocol';
import { skipKernelTests, skipRedisTests, startRedis } from '@ctscope/testkit';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { Cleanups, agentInNetns, browserSocket } from './agent-harness';
import { hostState, request, unwrap } from './live-harness';
import { startTestCluster } from './test-dashboard';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

const spec = { kind: 'notrack', protocol: 'udp', ports: '5353', role: 'both' };

describe.skipIf(skipKernelTests() || skipRedisTests())('the cluster bus over Redis, real kernel', () => {
  it('ignores a message published straight into Redis asking every agent to apply a rule, or a server to drop its agent', async () => {
    const redis = await startRedis();
    cleanups.add(() => redis.stop());
    const cluster = await startTestCluster(redis.url);
    cleanups.add(() => cluster.close());
    const { a, b } = cluster;
    const hostId = a.server.localAgent.hostId;
    const browser = await browserSocket(a, cleanups);
    const online = hostState(browser, true);
    const agent = await agentInNetns(b, cleanups);
    await online;

    // What an intruder on the Redis network would send: the adapter's own request format, in JSON.
    const intruder = new Redis(redis.url, { lazyConnect: true });
    cleanups.add(() => void intruder.disconnect());
    await intruder.connect();
    const applyEverywhere = {
      uid: 'intruder',
      requestId: 'r1',
      type: 7, // BROADCAST with acks, to every socket of the namespace
      packet: { type: 2, nsp: '/agents', data: ['rules:apply', { spec, withCompanions: false, actor: { user: 'intruder', role: 'admin' } }] },
      opts: { rooms: [], except: [] },
    };
    const dropAgent = { uid: 'intruder', type: 6, data: ['cluster:drop', { hostId }] }; // a server-side emit
    const receivers = await intruder.publish('ctscope-request#/agents#', JSON.stringify(applyEverywhere));
    expect(receivers).toBe(2); // both servers heard it
    await intruder.publish('ctscope-request#/agents#', JSON.stringify(dropAgent));
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    const ruleset = (await agent.ns.exec('nft', ['list', 'ruleset'])).stdout;
    expect(ruleset).not.toContain('notrack');
    const audit = await readFile(agent.auditFile, 'utf8').catch(() => '');
    expect(audit).not.toContain('rules.apply');
    expect(unwrap(await request<HostSummary[]>(browser, 'hosts:list', {})).find((h) => h.id === hostId)?.online).toBe(true);
    const dropped = [a.server.clusterDrops(), b.server.clusterDrops()];
    for (const counts of dropped) expect(counts?.unsigned).toBeGreaterThanOrEqual(2);

    // A signed message replayed by the intruder is dropped too.
    const captured = new Redis(redis.url, { lazyConnect: true });
    cleanups.add(() => void captured.disconnect());
    await captured.connect();
    const heard = new Promise<[Buffer, Buffer]>((resolve) => captured.once('pmessageBuffer', (_pattern: Buffer, channel: Buffer, message: Buffer) => resolve([channel, message])));
    await captured.psubscribe('ctscope-request#/agents#*');
    const [channel, message] = await heard;
    const replayedBefore = (a.server.clusterDrops()?.replayed ?? 0) + (b.server.clusterDrops()?.replayed ?? 0);
    await intruder.publish(channel, message);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((a.server.clusterDrops()?.replayed ?? 0) + (b.server.clusterDrops()?.replayed ?? 0)).toBeGreaterThan(replayedBefore);

    // The servers' own signed messages still flow: a preview asked on A is answered by the agent on B.
    const preview = unwrap(await request<RulePreview>(browser, 'rules:preview', { hostId, spec }));
    expect(preview.nftCommands.join('\n')).toContain('udp dport 5353');
  });
});
