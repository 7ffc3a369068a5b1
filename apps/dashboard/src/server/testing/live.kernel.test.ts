import { readFile } from 'node:fs/promises';
import type { DeleteResult, EventBatch, WindowResult } from '@ctscope/protocol';
import { generateTraffic, skipKernelTests } from '@ctscope/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../auth/passwords';
import { CHANGE_REQUESTS } from '../sockets/browser-requests';
import { Cleanups, browserSocket, nextSample, stop } from './agent-harness';
import { cliLines, hostState, onlineAgent as startOnlineAgent, request, unwrap, windowSpec } from './live-harness';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());
const onlineAgent = (extraArgs: string[] = [], hooks = true) => startOnlineAgent(cleanups, extraArgs, hooks);

describe.skipIf(skipKernelTests())('live table over the dashboard, real kernel', () => {
  it('a window subscription receives a new connection within a second', async () => {
    const { browser, ns, hostId } = await onlineAgent();
    const opened = unwrap(await request<{ subId: string; result: WindowResult }>(browser, 'window:subscribe', { hostId, spec: windowSpec('icmp') }));
    expect(opened.result.total).toBe(0);

    const pushed = new Promise<{ result: WindowResult; at: number }>((resolve) => {
      browser.on('window:pushed', (push: { subId: string; result: WindowResult }) => {
        if (push.subId === opened.subId && push.result.total > 0) resolve({ result: push.result, at: Date.now() });
      });
    });
    const sent = Date.now();
    await ns.exec('ping', ['-n', '-q', '-c', '1', '-W', '1', '127.0.0.1']);
    const { result, at } = await pushed;
    expect(at - sent).toBeLessThan(1_000);
    expect(result.rows[0]?.proto).toBe('icmp');
    expect(result.rows[0]?.orig.src).toBe('127.0.0.1');
    const [cliLine] = await cliLines(ns, ['-p', 'icmp', '-o', 'id']);
    expect(cliLine).toContain(`id=${result.rows[0]?.id}`);
  });

  it('after kill -9 the host goes offline; a restarted agent comes back and open windows resume', async () => {
    const { browser, ns, hostId, agent } = await onlineAgent();
    const opened = unwrap(await request<{ subId: string; result: WindowResult }>(browser, 'window:subscribe', { hostId, spec: windowSpec('icmp') }));
    const offline = hostState(browser, false);
    await stop(agent.agent, 'SIGKILL');
    await offline;

    const online = hostState(browser, true);
    agent.respawn();
    await online;
    const pushed = new Promise<WindowResult>((resolve) => {
      browser.on('window:pushed', (push: { subId: string; result: WindowResult }) => {
        if (push.subId === opened.subId && push.result.total > 0) resolve(push.result);
      });
    });
    await ns.exec('ping', ['-n', '-q', '-c', '1', '-W', '1', '127.0.0.1']);
    const result = await pushed;
    expect(result.rows[0]?.proto).toBe('icmp');
    expect(result.total).toBe((await cliLines(ns, ['-p', 'icmp'])).length);
  });

  it('a flush empties the window at once, also of entries older than the agent (they send no DESTROY)', async () => {
    const { browser, ns, hostId, agent } = await onlineAgent();
    await stop(agent.agent, 'SIGKILL');
    await generateTraffic(ns, { udp: 6 });
    const online = hostState(browser, true);
    agent.respawn();
    await online;
    const opened = unwrap(await request<{ subId: string; result: WindowResult }>(browser, 'window:subscribe', { hostId, spec: windowSpec('udp') }));
    expect(opened.result.total).toBe((await cliLines(ns, ['-p', 'udp'])).length);
    expect(opened.result.total).toBeGreaterThanOrEqual(6);

    const emptied = new Promise<number>((resolve) => {
      browser.on('window:pushed', (push: { subId: string; result: WindowResult }) => {
        if (push.subId === opened.subId && push.result.total === 0) resolve(Date.now());
      });
      setTimeout(() => resolve(Number.POSITIVE_INFINITY), 10_000);
    });
    const count = Number((await ns.conntrack(['-C'])).stdout.trim());
    const flushed = Date.now();
    unwrap(await request(browser, 'flows:flush', { hostId, confirmCount: count }));
    expect(await cliLines(ns, ['-p', 'udp'])).toEqual([]);
    // Within a push or two, not at the 30 s re-read that would otherwise be the only way to learn of them.
    expect((await emptied) - flushed).toBeLessThan(2_000);
  });

  it('streams filtered events in batches', async () => {
    const { browser, ns, hostId } = await onlineAgent();
    const batches: EventBatch[] = [];
    browser.on('events:batched', (push: { batch: EventBatch }) => batches.push(push.batch));
    unwrap(await request(browser, 'events:subscribe', { hostId, spec: { query: 'udp', types: ['NEW', 'DESTROY'] } }));
    await generateTraffic(ns, { udp: 10, tcp: 3 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const events = batches.flatMap((b) => b.events);
    expect(events.filter((e) => e.type === 'NEW').length).toBe(10);
    expect(events.every((e) => e.flow.proto === 'udp')).toBe(true);
    expect(batches.every((b) => b.dropped === 0)).toBe(true);
  });

  it('aggregates agree with conntrack -L', async () => {
    const { browser, ns, hostId } = await onlineAgent();
    await generateTraffic(ns, { udp: 12, tcp: 5 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const aggregates = unwrap(await request<{ total: number; byProtocol: { key: string; count: number }[]; topSources: { key: string }[] }>(browser, 'flows:aggregate', { hostId, query: '', top: 5 }));
    const udp = (await cliLines(ns, ['-p', 'udp'])).length;
    const tcp = (await cliLines(ns, ['-p', 'tcp'])).length;
    expect(aggregates.byProtocol.find((p) => p.key === 'udp')?.count).toBe(udp);
    expect(aggregates.byProtocol.find((p) => p.key === 'tcp')?.count).toBe(tcp);
    expect(aggregates.topSources[0]?.key).toBe('127.0.0.1');
  });

  it('delete by filter removes exactly the dry run entries, audited on the agent and the dashboard', async () => {
    const { dash, browser, ns, hostId, auditFile } = await onlineAgent();
    await generateTraffic(ns, { udp: 15, tcp: 6 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const udpBefore = await cliLines(ns, ['-p', 'udp', '-o', 'id']);
    const tcpBefore = (await cliLines(ns, ['-p', 'tcp'])).length;

    const dry = unwrap(await request<DeleteResult>(browser, 'flows:deleteMatching', { hostId, query: 'udp', dryRun: true }));
    expect(dry.matched).toBe(udpBefore.length);
    expect(dry.deleted).toBe(0);
    expect((await cliLines(ns, ['-p', 'udp'])).length).toBe(udpBefore.length);

    // A flow that appears after the dry run is not part of the plan and must survive.
    await generateTraffic(ns, { udp: 1 });
    const done = unwrap(await request<DeleteResult>(browser, 'flows:deleteMatching', { hostId, planId: dry.planId, dryRun: false }));
    expect(done.deleted).toBe(udpBefore.length);
    const udpAfter = await cliLines(ns, ['-p', 'udp', '-o', 'id']);
    expect(udpAfter.length).toBe(1);
    const ids = (lines: string[]) => lines.map((l) => /id=(\d+)/.exec(l)?.[1]);
    expect(ids(udpAfter).some((id) => ids(udpBefore).includes(id))).toBe(false);
    expect((await cliLines(ns, ['-p', 'tcp'])).length).toBe(tcpBefore);

    const audit = (await readFile(auditFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { action: string; actor: { user: string; via: string }; result: string });
    expect(audit.map((a) => [a.action, a.actor.user, a.actor.via, a.result])).toEqual([
      ['conntrack.delete-matching', 'admin', 'dashboard', 'pending'],
      ['conntrack.delete-matching', 'admin', 'dashboard', 'ok'],
    ]);
    const [row] = await dash.server.store.listAudit(10);
    expect(row).toMatchObject({ actor: 'admin', action: 'conntrack.delete-matching', target: hostId, result: 'ok' });
  });

  it('/metrics inside the namespace equals conntrack -C and -S', async () => {
    const { ns } = await onlineAgent(['--metrics', '127.0.0.1:9477']);
    await generateTraffic(ns, { udp: 8, tcp: 4 });
    const scrape = async () => {
      const { stdout } = await ns.exec(process.execPath, ['-e', 'fetch("http://127.0.0.1:9477/metrics").then((r) => r.text()).then((t) => process.stdout.write(t))']);
      return new Map(stdout.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => [l.slice(0, l.lastIndexOf(' ')), Number(l.slice(l.lastIndexOf(' ') + 1))]));
    };
    // The metrics come from the last 1 s sample: wait until a sample saw the quiet table.
    for (let attempt = 0; ; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      const count = Number((await ns.conntrack(['-C'])).stdout.trim());
      const metrics = await scrape();
      if (metrics.get('node_nf_conntrack_entries') !== count && attempt < 5) continue;
      expect(metrics.get('node_nf_conntrack_entries')).toBe(count);
      // The scrape's own TCP connection is in the live mirror when it renders, and in the table after.
      expect(metrics.get('ctscope_mirror_entries')).toBe(Number((await ns.conntrack(['-C'])).stdout.trim()));
      const cli = (await ns.conntrack(['-S'])).stdout;
      const sum = (key: string) => [...cli.matchAll(new RegExp(`\\b${key}=(\\d+)`, 'g'))].reduce((s, m) => s + Number(m[1]), 0);
      expect(metrics.get('node_nf_conntrack_stat_insert')).toBe(sum('insert'));
      expect(metrics.get('node_nf_conntrack_stat_found')).toBe(sum('found'));
      expect(metrics.get('ctscope_entries_by_protocol{protocol="udp"}')).toBe((await cliLines(ns, ['-p', 'udp'])).length);
      break;
    }
  });

  it('raises the hooks-inactive alert while nothing is tracked and clears it when a rule appears', async () => {
    const { browser, ns } = await onlineAgent([], false);
    const alertsOf = async () => (await nextSample(browser, Date.now())).alerts?.map((a) => a.name) ?? [];
    expect(await alertsOf()).toContain('hooks-inactive');
    await ns.enableHooks();
    await generateTraffic(ns, { udp: 2 });
    let names = await alertsOf();
    for (let i = 0; i < 5 && names.includes('hooks-inactive'); i++) names = await alertsOf();
    expect(names).not.toContain('hooks-inactive');
  });

  it('refuses every change from a viewer, changes nothing and audits each attempt', async () => {
    const { dash, ns, hostId, auditFile } = await onlineAgent();
    await dash.server.store.createUser('vera', await hashPassword('viewer password 1'), 'viewer');
    await dash.server.store.createUser('otto', await hashPassword('operator password 1'), 'operator');
    const viewer = await browserSocket(dash, cleanups, await dash.login('vera', 'viewer password 1'));
    const operator = await browserSocket(dash, cleanups, await dash.login('otto', 'operator password 1'));
    await generateTraffic(ns, { udp: 5 });
    const before = (await cliLines(ns, [])).length;
    const rulesBefore = (await ns.exec('nft', ['list', 'ruleset'])).stdout;
    const valid: Record<string, unknown> = {
      'flows:deleteMatching': { hostId, query: 'udp', dryRun: false, confirmCount: before },
      'flows:flush': { hostId, confirmCount: before },
      'flows:delete': { hostId, keys: ['x'] },
      'rules:apply': { hostId, spec: { kind: 'notrack', protocol: 'udp', ports: '53', role: 'server' }, withCompanions: false },
      'rules:remove': { hostId, all: true },
      'sysctl:apply': { hostId, changes: [{ name: 'net.netfilter.nf_conntrack_tcp_timeout_established', value: 3600 }], freeIdle: false },
      'sysctl:rollback': { hostId, changeId: 'any-change', force: true },
      'sysctl:persist': { hostId, values: [{ name: 'net.netfilter.nf_conntrack_tcp_timeout_established', value: 3600 }], mode: 'merge' },
    };
    for (const event of CHANGE_REQUESTS) {
      expect(await request(viewer, event, valid[event] ?? { hostId }), event).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    }
    expect(await request(operator, 'sysctl:persist', valid['sysctl:persist'])).toMatchObject({ ok: false, code: 'FORBIDDEN' });

    expect((await cliLines(ns, [])).length).toBe(before);
    expect((await ns.exec('nft', ['list', 'ruleset'])).stdout).toBe(rulesBefore);
    await expect(readFile(auditFile, 'utf8')).resolves.toBe('');
    const audit = await dash.server.store.listAudit(20);
    expect(audit).toHaveLength(CHANGE_REQUESTS.length + 1);
    expect(audit.every((row) => row.result === 'error' && row.target === hostId && (row.detail as { refused?: string }).refused)).toBe(true);
    expect(audit.filter((row) => row.actor === 'vera').map((row) => row.action).sort()).toEqual(
      ['changes.confirm', 'changes.revert', 'conntrack.delete', 'conntrack.delete-matching', 'conntrack.flush', 'rules.apply', 'rules.remove', 'sysctl.persist', 'sysctl.rollback', 'sysctl.set'],
    );
    expect(audit[0]).toMatchObject({ actor: 'otto', action: 'sysctl.persist' });
  });
});
