import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Ack, SysctlApplyResult, SysctlHistoryEntry, SysctlPersistPreview, SysctlPreview, SysctlStateWire } from '@ctscope/protocol';
import { skipKernelTests, startTraffic } from '@ctscope/testkit';
import type { Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../auth/passwords';
import { Cleanups, agentInNetns, browserSocket, nextSample, stop, tempDir } from './agent-harness';
import { startTestDashboard } from './test-dashboard';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

const request = <T>(socket: Socket, event: string, payload: unknown) => socket.timeout(30_000).emitWithAck(event, payload) as Promise<Ack<T>>;
function unwrap<T>(ack: Ack<T>): T {
  if (!ack.ok) throw new Error(`${ack.code}: ${ack.message}`);
  return ack.data;
}
const ESTABLISHED = 'net.netfilter.nf_conntrack_tcp_timeout_established';

describe.skipIf(skipKernelTests())('sysctl tuning over the dashboard, real kernel (inside a namespace)', () => {
  it('reads scopes, previews idle entries, applies with free-idle in one audited change, rolls back, persists to its own file', async () => {
    const dash = await startTestDashboard();
    cleanups.add(() => dash.close());
    const admin = await browserSocket(dash, cleanups);
    const rootfs = await tempDir(cleanups);
    await mkdir(join(rootfs, 'etc', 'sysctl.d'), { recursive: true });
    const { ns, auditFile } = await agentInNetns(dash, cleanups, ['--path.rootfs', rootfs]);
    await nextSample(admin, 0);
    const hostId = dash.server.localAgent.hostId;

    const state = unwrap(await request<SysctlStateWire>(admin, 'sysctl:get', { hostId }));
    const param = (name: string) => state.params.find((p) => p.name === name);
    expect(param(ESTABLISHED)).toMatchObject({ scope: 'netns', writable: true, unit: 'seconds' });
    expect(param('net.netfilter.nf_conntrack_max')).toMatchObject({ scope: 'global', writable: false });
    expect(param('net.netfilter.nf_conntrack_max')?.readOnlyReason).toMatch(/namespace/);
    expect(state.facts.inInitialNetns).toBe(false);
    const original = param(ESTABLISHED)?.value;
    expect(original).toBeGreaterThan(2);

    // Held connections go idle; with a proposed timeout of 2 s they count as idle longer than that.
    const traffic = startTraffic(ns, { hold: 3 });
    cleanups.add(() => stop(traffic));
    // `tcp 6 431996 ESTABLISHED ...`: entries whose timeout shows more than 2 s of idleness.
    const timeouts = async () =>
      (await ns.conntrack(['-L', '-p', 'tcp', '--state', 'ESTABLISHED'])).stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => Number(line.split(/\s+/)[2]));
    const idleNow = async () => (await timeouts()).filter((t) => (original ?? 0) - t > 2).length;
    // The generator may take a while to start on a loaded machine: wait for the held ones to go idle.
    await expect.poll(idleNow, { timeout: 20_000, interval: 500 }).toBeGreaterThanOrEqual(3);
    const held = await idleNow();
    const busy = (await timeouts()).length - held; // the agent's own link to the dashboard, busy every second
    const preview = unwrap(await request<SysctlPreview>(admin, 'sysctl:preview', { hostId, changes: [{ name: ESTABLISHED, value: '2s' }] }));
    expect(preview.items[0]).toMatchObject({ name: ESTABLISHED, before: original, after: 2 });
    // The agent's own link to the dashboard may also look idle if a sample was late on a busy machine.
    expect(preview.timeouts[0]?.idleLonger).toBeGreaterThanOrEqual(held);
    expect(preview.timeouts[0]?.idleLonger).toBeLessThanOrEqual(held + busy);
    expect(preview.timeouts[0]?.message).toMatch(/will NOT expire sooner by themselves/);

    expect(await request(admin, 'sysctl:preview', { hostId, changes: [{ name: 'net.netfilter.nf_conntrack_max', value: 1 }] })).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
    expect(await request(admin, 'sysctl:preview', { hostId, changes: [{ name: 'kernel.panic', value: 1 }] })).toMatchObject({ ok: false, code: 'BAD_REQUEST' });

    await dash.server.store.createUser('vera', await hashPassword('viewer password 1'), 'viewer');
    const viewer = await browserSocket(dash, cleanups, await dash.login('vera', 'viewer password 1'));
    // A viewer reads, but changes nothing: not a value, not the idle entries, not the files.
    expect(await request(viewer, 'sysctl:apply', { hostId, changes: [{ name: ESTABLISHED, value: 2 }], freeIdle: false })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await request(viewer, 'sysctl:apply', { hostId, changes: [{ name: ESTABLISHED, value: 2 }], freeIdle: true })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await request(viewer, 'sysctl:persist', { hostId, values: [{ name: ESTABLISHED, value: 3600 }], mode: 'merge' })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await request(viewer, 'sysctl:persist', { hostId, values: [], mode: 'replace' })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(unwrap(await request<SysctlStateWire>(viewer, 'sysctl:get', { hostId })).params.find((p) => p.name === ESTABLISHED)?.value).toBe(original);
    expect(await idleNow()).toBeGreaterThanOrEqual(held);
    await expect(readFile(join(rootfs, 'etc', 'sysctl.d', '90-ctscope.conf'), 'utf8')).rejects.toThrow();

    const applied = unwrap(await request<SysctlApplyResult>(admin, 'sysctl:apply', { hostId, changes: [{ name: ESTABLISHED, value: '2s' }], freeIdle: true }));
    expect(applied.applied).toEqual([{ name: ESTABLISHED, before: original, after: 2 }]);
    expect(applied.freed).toBeGreaterThanOrEqual(held);
    expect((await ns.exec('cat', ['/proc/sys/net/netfilter/nf_conntrack_tcp_timeout_established'])).stdout.trim()).toBe('2');
    expect((await timeouts()).length).toBeLessThanOrEqual(busy);

    // The page's "Roll back" undoes exactly that change, recorded as its rollback (as `ctscope sysctl rollback` does).
    expect(await request(viewer, 'sysctl:rollback', { hostId, changeId: applied.changeId, force: false })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    const back = unwrap(await request<SysctlApplyResult>(admin, 'sysctl:rollback', { hostId, changeId: applied.changeId, force: false }));
    expect(back.applied[0]?.after).toBe(original);
    expect((await ns.exec('cat', ['/proc/sys/net/netfilter/nf_conntrack_tcp_timeout_established'])).stdout.trim()).toBe(String(original));
    expect(await request(admin, 'sysctl:rollback', { hostId, changeId: applied.changeId, force: false })).toMatchObject({ ok: false, code: 'NOT_FOUND', message: expect.stringMatching(/rolled back already/) });
    const rollbacks = (await readFile(auditFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { id: string; result: string; details?: { rollbackOf?: string } });
    expect(rollbacks.filter((r) => r.result === 'ok' && r.details?.rollbackOf === applied.changeId)).toHaveLength(1);
    expect(rollbacks.some((r) => r.id === applied.changeId)).toBe(true);

    const history = unwrap(await request<SysctlHistoryEntry[]>(admin, 'sysctl:history', { hostId, limit: 10 }));
    expect(history.map((h) => h.changes[0]?.after)).toEqual([original, 2]);

    await dash.server.store.createUser('otto', await hashPassword('operator password 1'), 'operator');
    const operator = await browserSocket(dash, cleanups, await dash.login('otto', 'operator password 1'));
    expect(await request(operator, 'sysctl:persist', { hostId, values: [{ name: ESTABLISHED, value: 3600 }], mode: 'merge' })).toMatchObject({ ok: false, code: 'FORBIDDEN' });

    const persistPreview = unwrap(await request<SysctlPersistPreview>(admin, 'sysctl:persistPreview', { hostId, values: [{ name: ESTABLISHED, value: 3600 }], mode: 'merge' }));
    expect(persistPreview.sysctl.diff).toContain(`+${ESTABLISHED} = 3600`);
    unwrap(await request(admin, 'sysctl:persist', { hostId, values: [{ name: ESTABLISHED, value: 3600 }], mode: 'merge' }));
    expect(await readFile(join(rootfs, 'etc', 'sysctl.d', '90-ctscope.conf'), 'utf8')).toContain(`${ESTABLISHED} = 3600`);
    expect(await readFile(join(rootfs, 'etc', 'modules-load.d', 'ctscope.conf'), 'utf8')).toContain('nf_conntrack');

    const audit = (await readFile(auditFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { action: string; result: string });
    expect(audit.filter((a) => a.result !== 'pending').map((a) => `${a.action} ${a.result}`)).toEqual(['sysctl.set ok', 'sysctl.set ok', 'sysctl.persist ok']);
    // Refused attempts (the viewer's sets and persists, the operator's persist) are audited too, as errors.
    expect((await dash.server.store.listAudit(20)).map((r) => `${r.action} ${r.actor} ${r.result}`)).toEqual([
      'sysctl.persist admin ok',
      'sysctl.persist otto error',
      'sysctl.rollback admin error',
      'sysctl.rollback admin ok',
      'sysctl.rollback vera error',
      'sysctl.set admin ok',
      'sysctl.persist vera error',
      'sysctl.persist vera error',
      'sysctl.set vera error',
      'sysctl.set vera error',
    ]);
  });
});
