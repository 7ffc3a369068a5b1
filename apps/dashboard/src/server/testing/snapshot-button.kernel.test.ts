// The host page's Snapshot button against the real kernel: a real agent in a namespace with known
// entries, GET /api/hosts/:id/snapshot through the dashboard, and the file read back with the format's
// own reader must hold exactly what conntrack -L lists (or its filtered part) and what only a running
// agent has: stats history, composition summaries, alerts.
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { AuditPage, SnapshotFlow } from '@ctscope/protocol';
import { readSnapshot } from '@ctscope/protocol/snapshot-file';
import { conntrackEntryKeys, fillConntrack, flowEntryKey, generateTraffic, skipKernelTests, skipRedisTests, startRedis } from '@ctscope/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { Cleanups, agentInNetns, browserSocket } from './agent-harness';
import { hostState, onlineAgent } from './live-harness';
import { startTestCluster } from './test-dashboard';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());



async function download(url: string, cookie: string) {
  const res = await fetch(url, { headers: { cookie } });
  if (!res.ok || !res.body) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  const flows: SnapshotFlow[] = [];
  const contents = await readSnapshot(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), (f) => flows.push(f));
  return { res, ...contents, keys: flows.map(flowEntryKey).sort() };
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

describe.skipIf(skipKernelTests())('Snapshot button: GET /api/hosts/:id/snapshot from a live agent', () => {
  it('streams the file the agent makes: exactly conntrack -L (or the filtered part), stats and composition history; limited and audited', { timeout: 120_000 }, async () => {
    const { dash, ns, hostId } = await onlineAgent(cleanups, ['--composition-interval', '2']);
    await generateTraffic(ns, { tcp: 10, udp: 20, icmp: 3 });
    await ns.conntrack(['-I', '-s', '10.9.0.1', '-d', '10.9.0.2', '-p', 'tcp', '--sport', '1234', '--dport', '80', '--state', 'ESTABLISHED', '-u', 'SEEN_REPLY', '-t', '600']);
    await ns.conntrack(['-I', '-s', '10.9.0.3', '-d', '10.9.0.4', '-p', 'udp', '--sport', '5353', '--dport', '53', '-t', '600']);
    await ns.conntrack(['-I', '-s', 'fd00::1', '-d', 'fd00::2', '-p', 'tcp', '--sport', '4000', '--dport', '80', '--state', 'SYN_SENT', '-t', '600']);
    const cookie = await dash.login();
    const url = (q?: string) => `${dash.url}/api/hosts/${hostId}/snapshot${q === undefined ? '' : `?q=${encodeURIComponent(q)}`}`;

    // A composition summary taken after the entries above (every 2 s), and the mirror has them all.
    await new Promise((r) => setTimeout(r, 4_500));
    const before = await conntrackEntryKeys(ns);
    expect(before.length).toBeGreaterThan(30);
    const all = await download(url(), cookie);
    const after = await conntrackEntryKeys(ns);
    expect(after).toEqual(before); // nothing came or went meanwhile, so the file must hold exactly this
    expect(all.res.headers.get('content-type')).toBe('application/gzip');
    expect(all.res.headers.get('content-disposition')).toMatch(/^attachment; filename="ctscope-[A-Za-z0-9._-]+-\d{8}T\d{6}Z\.ctsnap\.gz"$/);
    expect(all.keys).toEqual(before);
    expect(all.flows).toBe(before.length);
    expect(all.sections.meta).toMatchObject({ via: 'agent', filter: null });
    expect(all.sections.meta.notes.join('\n')).not.toMatch(/stats history|composition history|active alerts/);
    expect(all.sections.stats.history.length).toBeGreaterThan(0);
    expect(all.sections.stats.current?.count).toBe(before.length);
    expect(all.sections.composition.length).toBeGreaterThanOrEqual(1);
    expect(all.sections.composition.at(-1)).toMatchObject({ total: before.length });
    expect(Array.isArray(all.sections.alerts)).toBe(true);

    const web = await download(url('tcp dport:80'), cookie);
    const expected = await conntrackEntryKeys(ns, ['-p', 'tcp', '--dport', '80']);
    expect(expected.length).toBeGreaterThanOrEqual(2);
    expect(web.keys).toEqual(expected);
    expect(web.sections.meta.filter).toBe('tcp dport:80');
    // conntrack's own flags, as pasted into the query box.
    const dns = await download(url('-p udp --dport 53'), cookie);
    expect(dns.keys).toEqual(await conntrackEntryKeys(ns, ['-p', 'udp', '--dport', '53']));

    // Three a minute per user.
    const limited = await fetch(url(), { headers: { cookie } });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Without a session: refused.
    expect((await fetch(url())).status).toBe(401);

    // Any signed-in user may: a viewer reads the same data on the page. A bad filter is refused before
    // anything is sent, naming the token.
    const created = await fetch(`${dash.url}/api/users`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ username: 'vera', password: 'a viewer password 1234', role: 'viewer' }) });
    expect(created.status).toBe(201);
    const viewer = await dash.login('vera', 'a viewer password 1234');
    const bad = await fetch(url('dport:99999'), { headers: { cookie: viewer } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/port must be 0-65535 .*99999/);
    const udp = await download(url('udp'), viewer);
    expect(udp.keys).toEqual(await conntrackEntryKeys(ns, ['-p', 'udp']));

    const auditRows = async () => ((await (await fetch(`${dash.url}/api/audit?action=snapshot.make`, { headers: { cookie } })).json()) as AuditPage).rows;
    await until('the audit rows', async () => (await auditRows()).length >= 5, 5_000);
    const rows = await auditRows();
    const ok = rows.filter((r) => r.result === 'ok');
    expect(ok).toHaveLength(4);
    expect(ok.map((r) => r.detail)).toContainEqual(expect.objectContaining({ filter: 'tcp dport:80', flows: expected.length, bytes: expect.any(Number) as unknown }));
    expect(ok.map((r) => r.detail)).toContainEqual(expect.objectContaining({ filter: null, flows: before.length }));
    expect(ok.find((r) => r.actor === 'vera')?.detail).toMatchObject({ filter: 'udp', flows: udp.flows });
    expect(rows.find((r) => r.result === 'error')).toMatchObject({ actor: 'vera', target: `host:${hostId}`, detail: { filter: 'dport:99999', refused: expect.stringMatching(/99999/) as unknown } });
  });
});

describe.skipIf(skipKernelTests())('Snapshot button: the browser going away', () => {
  it('stops the agent: the download is audited as cancelled and the host takes another snapshot at once', { timeout: 120_000 }, async () => {
    const { dash, ns, hostId } = await onlineAgent(cleanups);
    const cookie = await dash.login();
    const entries = 150_000;
    await fillConntrack(ns, entries);
    const mirrored = async () => {
      const body = (await (await fetch(`${dash.url}/api/hosts`, { headers: { cookie } })).json()) as { hosts: Array<{ latest?: { mirror?: { entries: number } } | null }> };
      return (body.hosts[0]?.latest?.mirror?.entries ?? 0) >= entries;
    };
    await until('the agent mirroring the filled table', mirrored, 60_000);

    const controller = new AbortController();
    const res = await fetch(`${dash.url}/api/hosts/${hostId}/snapshot`, { headers: { cookie }, signal: controller.signal });
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(first.value?.byteLength).toBeGreaterThan(0);
    controller.abort();

    const auditRows = async () => ((await (await fetch(`${dash.url}/api/audit?action=snapshot.make`, { headers: { cookie } })).json()) as AuditPage).rows;
    await until('the cancelled snapshot in the audit log', async () => (await auditRows()).length >= 1, 10_000);
    const [row] = await auditRows();
    expect(row).toMatchObject({ result: 'error', detail: { refused: expect.stringMatching(/cancelled/) as unknown } });
    // The whole file would be about 2.5 MiB: far less went out.
    expect((row?.detail as { bytes: number }).bytes).toBeLessThan(1_500_000);
    // The agent stopped too: it takes the next snapshot (it would answer CONFLICT while still making the first).
    const next = await fetch(`${dash.url}/api/hosts/${hostId}/snapshot?q=${encodeURIComponent('dport:1')}`, { headers: { cookie } });
    expect(next.status).toBe(200);
    await next.arrayBuffer();
  });
});

describe.skipIf(skipKernelTests() || skipRedisTests())('Snapshot button in a cluster', () => {
  it('the server that does not hold the agent refuses, naming what to do; the one that does streams it', { timeout: 120_000 }, async () => {
    const redis = await startRedis();
    cleanups.add(() => redis.stop());
    const cluster = await startTestCluster(redis.url);
    cleanups.add(() => cluster.close());
    const { a, b } = cluster;
    const hostId = a.server.localAgent.hostId;
    const cookie = await a.login();
    const online = hostState(await browserSocket(a, cleanups, cookie), true);
    const { ns } = await agentInNetns(b, cleanups);
    await online;
    await generateTraffic(ns, { tcp: 3, udp: 5, icmp: 1 });

    const refused = await fetch(`${a.url}/api/hosts/${hostId}/snapshot`, { headers: { cookie } });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/another dashboard server of this cluster.*open the dashboard on that server/);
    const before = await conntrackEntryKeys(ns);
    const streamed = await download(`${b.url}/api/hosts/${hostId}/snapshot`, cookie);
    expect(streamed.keys).toEqual(before);
  });
});
