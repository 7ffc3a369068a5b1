import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { SnapshotFlow, SnapshotSections, WindowResult } from '@ctscope/protocol';
import { SnapshotWriter } from '@ctscope/protocol/snapshot-file';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDashboard, type TestDashboard } from '../testing/test-dashboard';

let dash: TestDashboard;
let admin = '';
let operator = '';
let viewer = '';
const PASSWORD = 'a long enough password';

beforeAll(async () => {
  dash = await startTestDashboard({ env: { CTSCOPE_SNAPSHOT_MAX_MB: '1', CTSCOPE_SNAPSHOTS_KEPT: '2' } });
  admin = await dash.login();
  for (const [name, role] of [['olga', 'operator'], ['vic', 'viewer']] as const) {
    const res = await fetch(`${dash.url}/api/users`, { method: 'POST', headers: { cookie: admin, 'content-type': 'application/json' }, body: JSON.stringify({ username: name, password: PASSWORD, role }) });
    expect(res.status).toBe(201);
  }
  operator = await dash.login('olga', PASSWORD);
  viewer = await dash.login('vic', PASSWORD);
});
afterAll(async () => {
  await dash.close();
});

const SECTIONS: SnapshotSections = {
  meta: { host: 'gw-7', agentVersion: '0.1.0', kernel: '6.1.0', via: 'cli', filter: null, notes: ['stats history: only a running agent has it'] },
  sysctls: [],
  stats: { current: null, history: [] },
  composition: [],
  rules: null,
  ruleset_lines: [{ source: 'nft', line: 'ct state invalid drop' }],
  kmsg: [{ seq: 1, usec: 2, message: 'nf_conntrack: nf_conntrack: table full, dropping packet' }],
  alerts: [],
};

function flow(i: number): SnapshotFlow {
  const peer = `10.1.${i >> 8}.${i & 255}`;
  const dport = i % 3 === 0 ? 443 : 53;
  const proto = dport === 443 ? 'tcp' : 'udp';
  return {
    family: 'ipv4',
    proto,
    protoNum: proto === 'tcp' ? 6 : 17,
    orig: { src: '10.0.0.1', dst: peer, sport: 30_000 + i, dport },
    reply: { src: peer, dst: '10.0.0.1', sport: dport, dport: 30_000 + i },
    status: ['SEEN_REPLY', 'CONFIRMED'],
    ...(proto === 'tcp' ? { state: 'ESTABLISHED' } : {}),
    timeout: 1_000 + i,
    mark: 0,
    id: 5_000 + i,
  };
}

const CREATED = 1_760_000_000_000;
async function snapshotFile(flows: number, sections = SECTIONS): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const writer = new SnapshotWriter((c) => chunks.push(c), CREATED);
  for (const name of Object.keys(sections) as Array<keyof SnapshotSections>) writer.section(name, sections[name] as never);
  for (let i = 0; i < flows; i++) writer.flow(flow(i));
  await writer.end();
  return Buffer.concat(chunks);
}

async function call(method: string, path: string, cookie: string, body?: Buffer): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${dash.url}${path}`, { method, headers: { cookie, ...(body ? { 'content-type': 'application/gzip' } : {}) }, ...(body ? { body: new Uint8Array(body) } : {}) });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : null };
}
const upload = (cookie: string, name: string, body: Buffer) => call('POST', `/api/snapshots?name=${encodeURIComponent(name)}`, cookie, body);
const message = (json: unknown) => (json as { error: { message: string } }).error.message;
const lastAudit = async () => (await dash.server.store.listAudit(1))[0];

describe('incident snapshots on the dashboard', () => {
  it('an operator uploads one; everyone browses it read-only with the live query code; it is deleted, each change audited', async () => {
    const res = await upload(operator, 'gw-7 at the outage', await snapshotFile(3_000));
    expect(res.status).toBe(201);
    const stored = (res.json as { snapshot: { id: string; flows: number; host: string; uploadedBy: string } }).snapshot;
    expect(stored).toMatchObject({ flows: 3_000, host: 'gw-7', uploadedBy: 'olga', createdAt: CREATED });
    expect(await lastAudit()).toMatchObject({ actor: 'olga', action: 'snapshot.upload', target: `snapshot:${stored.id}`, result: 'ok' });

    const list = await call('GET', '/api/snapshots', viewer);
    expect((list.json as { snapshots: Array<{ id: string }> }).snapshots.map((s) => s.id)).toEqual([stored.id]);
    const detail = await call('GET', `/api/snapshots/${stored.id}`, viewer);
    expect(detail.json).toMatchObject({ snapshot: { id: stored.id }, sections: { ruleset_lines: SECTIONS.ruleset_lines, kmsg: SECTIONS.kmsg, meta: SECTIONS.meta } });

    // The query syntax and pasted conntrack arguments, sorted and windowed as on a live host.
    const win = await call('GET', `/api/snapshots/${stored.id}/window?q=${encodeURIComponent('tcp dport:443')}&sort=id&desc=0&offset=10&limit=5`, viewer);
    const result = win.json as WindowResult;
    const tcp = Array.from({ length: 3_000 }, (_, i) => flow(i)).filter((f) => f.proto === 'tcp');
    expect(result).toMatchObject({ total: tcp.length, size: 3_000, offset: 10, at: CREATED });
    expect(result.rows.map((r) => r.id)).toEqual(tcp.slice(10, 15).map((f) => f.id));
    expect(result.rows[0]).toMatchObject({ ...tcp[10], key: expect.any(String) as unknown });
    const pasted = (await call('GET', `/api/snapshots/${stored.id}/window?q=${encodeURIComponent('-p udp --dport 53')}&limit=1`, viewer)).json as WindowResult;
    expect(pasted.total).toBe(3_000 - tcp.length);
    expect((await call('GET', `/api/snapshots/${stored.id}/window?q=${encodeURIComponent('dport:99999')}`, viewer)).status).toBe(400);
    const agg = (await call('GET', `/api/snapshots/${stored.id}/aggregates?top=3`, viewer)).json as { total: number; byProtocol: Array<{ key: string; count: number }> };
    expect(agg.total).toBe(3_000);
    expect(agg.byProtocol).toEqual(expect.arrayContaining([{ key: 'tcp', count: tcp.length }]));

    expect((await call('DELETE', `/api/snapshots/${stored.id}`, viewer)).status).toBe(403);
    expect(await lastAudit()).toMatchObject({ actor: 'vic', action: 'snapshot.delete', result: 'error' });
    expect((await call('DELETE', `/api/snapshots/${stored.id}`, admin)).status).toBe(204);
    expect(await lastAudit()).toMatchObject({ actor: 'admin', action: 'snapshot.delete', target: `snapshot:${stored.id}`, result: 'ok' });
    expect((await call('GET', `/api/snapshots/${stored.id}/window`, viewer)).status).toBe(404);
  });

  it('viewers may not upload; the refusal is audited', async () => {
    const res = await upload(viewer, 'mine', await snapshotFile(10));
    expect(res.status).toBe(403);
    expect(await lastAudit()).toMatchObject({ actor: 'vic', action: 'snapshot.upload', result: 'error' });
    expect((await call('GET', '/api/snapshots', viewer)).json).toEqual({ snapshots: [] });
  });

  it('refuses what is not a snapshot this version reads, too large, or a gzip bomb, and keeps serving', async () => {
    const v2 = gzipSync(`${JSON.stringify({ format: 'ctscope-snapshot', version: 2, createdAt: 1 })}\n`);
    let res = await upload(operator, 'future', v2);
    expect(res.status).toBe(400);
    expect(message(res.json)).toBe('snapshot format version 2: this ctscope reads version 1 only; open it with a newer ctscope');
    expect(await lastAudit()).toMatchObject({ action: 'snapshot.upload', result: 'error', detail: { refused: message(res.json) } });

    res = await upload(operator, 'noise', randomBytes(2 << 20));
    expect(res.status).toBe(413);
    expect(message(res.json)).toContain('larger than 1 MiB (CTSCOPE_SNAPSHOT_MAX_MB)');

    // 256 MiB of one endless line, 256 KiB compressed: refused at the line limit, never inflated in memory.
    const bomb = Buffer.concat([gzipSync(`${JSON.stringify({ format: 'ctscope-snapshot', version: 1, createdAt: 1 })}\n`), gzipSync(Buffer.alloc(256 << 20, 0x20))]);
    expect(bomb.length).toBeLessThan(1 << 20);
    const rss = process.memoryUsage().rss;
    res = await upload(operator, 'bomb', bomb);
    expect(res.status).toBe(400);
    expect(message(res.json)).toMatch(/^line 2: longer than \d+ bytes: refused$/);
    expect(process.memoryUsage().rss - rss).toBeLessThan(150 << 20);

    res = await upload(operator, 'cut', (await snapshotFile(2_000)).subarray(0, 20_000));
    expect(res.status).toBe(400);
    expect((await call('GET', '/api/snapshots', operator)).json).toEqual({ snapshots: [] });
    expect((await call('GET', '/api/auth/me', operator)).status).toBe(200);
  }, 60_000);

  it('keeps at most CTSCOPE_SNAPSHOTS_KEPT; deleting one makes room', async () => {
    const ids: string[] = [];
    for (const name of ['one', 'two']) ids.push(((await upload(operator, name, await snapshotFile(5))).json as { snapshot: { id: string } }).snapshot.id);
    const third = await upload(operator, 'three', await snapshotFile(5));
    expect(third.status).toBe(409);
    expect(message(third.json)).toBe('2 snapshots are stored already: delete one first');
    expect((await call('DELETE', `/api/snapshots/${ids[0] ?? ''}`, operator)).status).toBe(204);
    expect((await upload(operator, 'three', await snapshotFile(5))).status).toBe(201);
    expect((await upload(operator, '\u0007bell', await snapshotFile(5))).status).toBe(400);
  });
});
