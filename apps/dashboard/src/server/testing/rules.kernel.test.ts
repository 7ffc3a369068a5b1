import { readFile } from 'node:fs/promises';
import type { Ack, RuleApplyResult, RuleList, RulePreview } from '@ctscope/protocol';
import { generateTraffic, skipKernelTests, startTraffic } from '@ctscope/testkit';
import type { Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../auth/passwords';
import { Cleanups, agentInNetns, browserSocket, nextSample, stop } from './agent-harness';
import { startTestDashboard } from './test-dashboard';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

const request = <T>(socket: Socket, event: string, payload: unknown) => socket.timeout(30_000).emitWithAck(event, payload) as Promise<Ack<T>>;
function unwrap<T>(ack: Ack<T>): T {
  if (!ack.ok) throw new Error(`${ack.code}: ${ack.message}`);
  return ack.data;
}

describe.skipIf(skipKernelTests())('NOTRACK rules over the dashboard, real kernel', () => {
  it('previews with impact, applies into our table, lists counters, refuses viewers and removes', async () => {
    const dash = await startTestDashboard();
    cleanups.add(() => dash.close());
    const admin = await browserSocket(dash, cleanups);
    const { ns, auditFile } = await agentInNetns(dash, cleanups);
    await nextSample(admin, 0);
    const hostId = dash.server.localAgent.hostId;
    // Held TCP connections give the preview live entries to count.
    const traffic = startTraffic(ns, { hold: 3 });
    cleanups.add(() => stop(traffic));
    await new Promise((resolve) => setTimeout(resolve, 800));

    const detection = unwrap(await request<{ backend: string }>(admin, 'rules:detect', { hostId }));
    expect(detection.backend).toBe('nft');

    const established = (await ns.conntrack(['-L', '-p', 'tcp', '--state', 'ESTABLISHED'])).stdout.trim().split('\n').filter(Boolean);
    const port = /dport=(\d+)/.exec(established[0] ?? '')?.[1];
    expect(port).toBeDefined();
    // Entries on that port in either direction: a NOTRACK for both roles covers both.
    const tcpHeld = (await ns.conntrack(['-L', '-p', 'tcp'])).stdout.split('\n').filter((l) => l.includes(`port=${port} `));
    const ports = [port];
    const spec = { kind: 'notrack', protocol: 'tcp', ports: String(port), role: 'both' };
    const preview = unwrap(await request<RulePreview>(admin, 'rules:preview', { hostId, spec }));
    expect(preview.nftCommands.join('\n')).toContain(`tcp dport ${ports[0]}`);
    expect(preview.iptablesCommands.join('\n')).toContain(`--dport ${ports[0]}`);
    expect(preview.impact?.matchedCount).toBe(tcpHeld.length);

    const bad = await request(admin, 'rules:preview', { hostId, spec: { ...spec, ports: '80;reboot' } });
    expect(bad).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
    expect(!bad.ok && bad.message).toMatch(/^ports/);

    await dash.server.store.createUser('vera', await hashPassword('viewer password 1'), 'viewer');
    const viewer = await browserSocket(dash, cleanups, await dash.login('vera', 'viewer password 1'));
    expect(await request(viewer, 'rules:apply', { hostId, spec, withCompanions: true })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    await expect(ns.exec('nft', ['list', 'table', 'inet', 'ctscope'])).rejects.toThrow();

    const applied = unwrap(await request<RuleApplyResult>(admin, 'rules:apply', { hostId, spec, withCompanions: true }));
    expect(applied).toMatchObject({ id: preview.id, changed: true });
    expect(applied.companions.length).toBeGreaterThan(0);
    const again = unwrap(await request<RuleApplyResult>(admin, 'rules:apply', { hostId, spec, withCompanions: true }));
    expect(again.changed).toBe(false);

    await generateTraffic(ns, { tcp: 2 });
    const list = unwrap(await request<RuleList>(admin, 'rules:list', { hostId }));
    const ours = list.groups.find((g) => g.id === preview.id);
    expect(ours?.rules.length).toBe(applied.rules);
    const { stdout: table } = await ns.exec('nft', ['list', 'table', 'inet', 'ctscope']);
    expect(table).toContain(`ctscope:${preview.id}`);

    const removed = unwrap(await request<{ removed: number }>(admin, 'rules:remove', { hostId, all: true }));
    expect(removed.removed).toBeGreaterThan(0);
    await expect(ns.exec('nft', ['list', 'table', 'inet', 'ctscope'])).rejects.toThrow();

    const audit = (await readFile(auditFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { action: string; result: string });
    expect(audit.filter((a) => a.result !== 'pending').map((a) => [a.action, a.result])).toEqual([
      ['rules.apply', 'ok'],
      ['rules.apply', 'ok'],
      ['rules.remove', 'ok'],
    ]);
    // The viewer's refused attempt is audited too, as an error.
    expect((await dash.server.store.listAudit(10)).map((r) => `${r.action} ${r.actor} ${r.result}`)).toEqual(['rules.remove admin ok', 'rules.apply admin ok', 'rules.apply admin ok', 'rules.apply vera error']);
  });
});
