import { readFile } from 'node:fs/promises';
import type { Ack, ChangeOutcomeResult, HostStats, PendingChanges, RuleApplyResult, SysctlApplyResult } from '@ctscope/protocol';
import { skipKernelTests, type Netns } from '@ctscope/testkit';
import type { Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../auth/passwords';
import { CTSCOPE, Cleanups, agentInNetns, browserSocket, nextSample, onHostSamples, stop } from './agent-harness';
import { startTestDashboard } from './test-dashboard';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

const request = <T>(socket: Socket, event: string, payload: unknown) => socket.timeout(30_000).emitWithAck(event, payload) as Promise<Ack<T>>;
function unwrap<T>(ack: Ack<T>): T {
  if (!ack.ok) throw new Error(`${ack.code}: ${ack.message}`);
  return ack.data;
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const UDP = 'net.netfilter.nf_conntrack_udp_timeout';
const ICMP = 'net.netfilter.nf_conntrack_icmp_timeout';

/** A per-namespace value read from /proc/sys inside the test's namespace (never the host's). */
const procValue = async (ns: Netns, name: string) => Number((await ns.exec('cat', [`/proc/sys/${name.replace(/\./g, '/')}`])).stdout.trim());
const ruleset = async (ns: Netns) => (await ns.exec('nft', ['list', 'ruleset'])).stdout;

interface Line {
  id: string;
  time: string;
  action: string;
  result: string;
  actor: { user: string; via: string };
  details?: { changeId?: string; reason?: string; rollbackOf?: string };
}
const auditLines = async (file: string) =>
  (await readFile(file, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);
const revertsOf = async (file: string, changeId: string) => (await auditLines(file)).filter((r) => r.action === 'changes.revert' && r.result === 'ok' && r.details?.changeId === changeId);

/** The next sample whose pending changes satisfy `check`. */
const pendingWhere = (socket: Socket, check: (changes: PendingChanges | undefined) => boolean) =>
  new Promise<PendingChanges | undefined>((resolve) => {
    const stopListening = onHostSamples(socket, (stats: HostStats) => {
      if (!check(stats.sample.changes)) return;
      stopListening();
      resolve(stats.sample.changes);
    });
  });

async function online(extraArgs: string[] = []) {
  const dash = await startTestDashboard();
  let closed = false;
  const closeDashboard = async () => {
    if (!closed) await dash.close();
    closed = true;
  };
  cleanups.add(closeDashboard);
  const admin = await browserSocket(dash, cleanups);
  const agent = await agentInNetns(dash, cleanups, extraArgs);
  await nextSample(admin, 0);
  return { dash, admin, ...agent, hostId: dash.server.localAgent.hostId, closeDashboard };
}

describe.skipIf(skipKernelTests())('commit-confirmed changes, real agent and kernel (inside a namespace)', () => {
  it('a sysctl and a rule applied with a 5 s deadline are undone by the agent while the dashboard is stopped', async () => {
    const { admin, ns, auditFile, hostId, closeDashboard } = await online();
    const original = await procValue(ns, UDP);
    const applied = unwrap(await request<SysctlApplyResult>(admin, 'sysctl:apply', { hostId, changes: [{ name: UDP, value: 11 }], freeIdle: false, confirmWithinMs: 5_000 }));
    expect(applied.confirmBy).toBeGreaterThan(Date.now());
    const spec = { kind: 'notrack', protocol: 'udp', ports: '5353', role: 'server' };
    const rule = unwrap(await request<RuleApplyResult>(admin, 'rules:apply', { hostId, spec, withCompanions: false, confirmWithinMs: 5_000 }));
    expect(rule).toMatchObject({ changed: true, changeId: expect.any(String), confirmBy: expect.any(Number) });
    expect(await procValue(ns, UDP)).toBe(11);
    expect(await ruleset(ns)).toMatch(/udp dport 5353 .*notrack/);

    // Samples carry both with their countdowns.
    const shown = await pendingWhere(admin, (c) => (c?.pending.length ?? 0) === 2);
    expect(shown?.pending.map((p) => [p.kind, p.state])).toEqual([
      ['sysctl', 'pending'],
      ['rule', 'pending'],
    ]);
    expect(shown?.pending[0]).toMatchObject({ changeId: applied.changeId, summary: `nf_conntrack_udp_timeout ${original} → 11`, user: 'admin', confirmWithinMs: 5_000 });
    expect(shown?.pending[0]?.remainingMs).toBeLessThanOrEqual(5_000);

    await closeDashboard();
    await expect.poll(() => procValue(ns, UDP), { timeout: 15_000, interval: 250 }).toBe(original);
    await expect.poll(() => ruleset(ns), { timeout: 15_000, interval: 250 }).not.toMatch(/dport 5353/);
    for (const changeId of [applied.changeId, rule.changeId as string]) {
      // The revert's closing record is written right after the undo.
      await expect.poll(async () => (await revertsOf(auditFile, changeId)).length, { timeout: 5_000 }).toBe(1);
      const reverts = await revertsOf(auditFile, changeId);
      expect(reverts[0]).toMatchObject({ actor: { user: 'ctscope-agent' }, details: { reason: 'not confirmed within 5 s' } });
    }
    // The sysctl revert is the rollback of that change, as the tuning page's history shows it.
    expect((await auditLines(auditFile)).filter((r) => r.action === 'sysctl.set' && r.result === 'ok' && r.details?.rollbackOf === applied.changeId)).toHaveLength(1);
  });

  it('a confirmed change stays past its deadline; viewers cannot confirm; confirming too late says so; "revert now" undoes at once; all audited', async () => {
    const { dash, admin, ns, auditFile, hostId } = await online();
    const original = await procValue(ns, UDP);
    const kept = unwrap(await request<SysctlApplyResult>(admin, 'sysctl:apply', { hostId, changes: [{ name: UDP, value: 12 }], freeIdle: false, confirmWithinMs: 5_000 }));
    await dash.server.store.createUser('vera', await hashPassword('viewer password 1'), 'viewer');
    const viewer = await browserSocket(dash, cleanups, await dash.login('vera', 'viewer password 1'));
    expect(await request(viewer, 'changes:confirm', { hostId, changeId: kept.changeId })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(unwrap(await request<ChangeOutcomeResult>(admin, 'changes:confirm', { hostId, changeId: kept.changeId }))).toMatchObject({ outcome: 'confirmed' });
    expect(await request(admin, 'changes:confirm', { hostId, changeId: kept.changeId })).toMatchObject({ ok: false, code: 'CONFLICT', message: 'already confirmed by admin' });

    const late = unwrap(await request<SysctlApplyResult>(admin, 'sysctl:apply', { hostId, changes: [{ name: ICMP, value: 13 }], freeIdle: false, confirmWithinMs: 5_000 }));
    const icmpBefore = late.applied[0]?.before;
    await sleep(6_000);
    expect(await procValue(ns, UDP)).toBe(12);
    await expect.poll(() => procValue(ns, ICMP), { timeout: 10_000, interval: 250 }).toBe(icmpBefore);
    const refused = await request(admin, 'changes:confirm', { hostId, changeId: late.changeId });
    expect(refused).toMatchObject({ ok: false, code: 'CONFLICT' });
    expect(!refused.ok && refused.message).toMatch(/^too late: reverted: not confirmed within 5 s/);
    const recent = await pendingWhere(admin, (c) => (c?.recent.length ?? 0) >= 2);
    expect(recent?.recent.map((r) => [r.changeId, r.outcome])).toEqual(expect.arrayContaining([[kept.changeId, 'confirmed'], [late.changeId, 'reverted']]));

    const now = unwrap(await request<SysctlApplyResult>(admin, 'sysctl:apply', { hostId, changes: [{ name: UDP, value: 14 }], freeIdle: false, confirmWithinMs: 60_000 }));
    expect(unwrap(await request<ChangeOutcomeResult>(admin, 'changes:revert', { hostId, changeId: now.changeId }))).toMatchObject({ outcome: 'reverted', message: 'reverted: reverted before its deadline by admin' });
    expect(await procValue(ns, UDP)).toBe(12);
    expect(await request(admin, 'changes:revert', { hostId, changeId: 'no-such-change' })).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(original).not.toBe(12);

    expect((await auditLines(auditFile)).filter((r) => r.action === 'changes.confirm').map((r) => [r.actor.user, r.details?.changeId])).toEqual([['admin', kept.changeId]]);
    const rows = (await dash.server.store.listAudit(30)).filter((r) => r.action.startsWith('changes.')).map((r) => `${r.action} ${r.actor} ${r.result}`);
    expect(rows).toEqual(['changes.revert admin error', 'changes.revert admin ok', 'changes.confirm admin error', 'changes.confirm admin error', 'changes.confirm admin ok', 'changes.confirm vera error']);
  });

  it('an agent restarted with a pending change reverts it after the restart, and at once when the deadline passed while it was down', async () => {
    const { admin, ns, auditFile, hostId, agent, respawn, closeDashboard } = await online();
    const original = await procValue(ns, UDP);
    const first = unwrap(await request<SysctlApplyResult>(admin, 'sysctl:apply', { hostId, changes: [{ name: UDP, value: 15 }], freeIdle: false, confirmWithinMs: 8_000 }));
    // The dashboard goes too: nothing but the audit log carries the pending change over.
    await closeDashboard();
    await stop(agent, 'SIGKILL');
    const restarted = respawn();
    expect(await procValue(ns, UDP)).toBe(15);
    await expect.poll(() => procValue(ns, UDP), { timeout: 20_000, interval: 250 }).toBe(original);
    const [revert] = await revertsOf(auditFile, first.changeId);
    expect(Date.parse(revert?.time ?? '')).toBeGreaterThanOrEqual(first.confirmBy ?? Infinity);

    // Applied with the CLI this time (no dashboard), while the agent runs; then the agent is down past the deadline.
    const set = await ns.exec(process.execPath, [CTSCOPE, 'sysctl', 'set', `${UDP}=16`, '--confirm-within', '5s', '--audit-file', auditFile]);
    const changeId = /ctscope confirm (\S+)"/.exec(set.stdout)?.[1] as string;
    const pid = Number(/process (\d+) waits/.exec(set.stdout)?.[1]);
    process.kill(pid, 'SIGKILL'); // its reverter dies too: only the agent is left to do it
    await stop(restarted, 'SIGKILL');
    await sleep(6_000);
    expect(await procValue(ns, UDP)).toBe(16);
    const started = Date.now();
    respawn();
    await expect.poll(() => procValue(ns, UDP), { timeout: 20_000, interval: 100 }).toBe(original);
    const reverts = await revertsOf(auditFile, changeId);
    expect(reverts).toHaveLength(1);
    expect(Date.parse(reverts[0]?.time ?? '')).toBeGreaterThanOrEqual(started);
    expect(reverts[0]?.details?.reason).toBe('not confirmed within 5 s');
  });

  it('ctscope sysctl set --confirm-within beside a running agent: the dashboard shows it pending, exactly one process reverts it', async () => {
    const { admin, ns, auditFile } = await online();
    const original = await procValue(ns, UDP);
    const set = await ns.exec(process.execPath, [CTSCOPE, 'sysctl', 'set', `${UDP}=17`, '--confirm-within', '5s', '--audit-file', auditFile]);
    const changeId = /ctscope confirm (\S+)"/.exec(set.stdout)?.[1] as string;
    const pid = Number(/process (\d+) waits/.exec(set.stdout)?.[1]);
    cleanups.add(() => {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    });
    const shown = await pendingWhere(admin, (c) => c?.pending.some((p) => p.changeId === changeId) ?? false);
    expect(shown?.pending.find((p) => p.changeId === changeId)).toMatchObject({ via: 'cli', kind: 'sysctl' });
    await expect.poll(() => procValue(ns, UDP), { timeout: 15_000, interval: 250 }).toBe(original);
    await sleep(3_000);
    expect(await revertsOf(auditFile, changeId)).toHaveLength(1);
    expect((await auditLines(auditFile)).filter((r) => r.result === 'ok' && r.details?.rollbackOf === changeId)).toHaveLength(1);
  });
});
