// What one host's token can do: its sample times are clamped, its pushes are budgeted per host, and a
// second agent with it cannot silently take over a healthy connection.
import { PROTOCOL_VERSION, type HostStats, type HostSummary, type StatsSample } from '@ctscope/protocol';
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HEALTHY_MS } from '../hosts/registry';
import { onHostSamples } from '../testing/agent-harness';
import { startTestDashboard, type TestDashboard } from '../testing/test-dashboard';
import { MAX_CLOCK_SKEW_MS } from './agents';

let dash: TestDashboard;
let browser: Socket;
const sockets: Socket[] = [];
beforeAll(async () => {
  dash = await startTestDashboard();
  browser = io(`${dash.url}/browsers`, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { protocolVersion: PROTOCOL_VERSION }, extraHeaders: { cookie: await dash.login(), origin: dash.url } });
  await new Promise<void>((resolve, reject) => browser.once('connect', resolve).once('connect_error', reject));
});
afterEach(async () => {
  const open = sockets.splice(0).filter((s) => s.connected);
  const offline = open.length > 0 ? hostOnline(false) : undefined;
  for (const s of open) s.close();
  await offline;
});
afterAll(async () => {
  browser.close();
  await dash.close();
});

const cpu = [{ cpu: 0, found: 0, invalid: 0, insert: 0, insert_failed: 0, drop: 0, early_drop: 0, error: 0, search_restart: 0, clash_resolve: 0, chaintoolong: 0 }];
const sample = (at: number, count = 1): StatsSample => ({ at, count, max: 65_536, cpu, hooksActive: true });

function agent(hostname: string): Socket {
  const socket = io(`${dash.url}/agents`, { transports: ['websocket'], reconnection: false, forceNew: true, autoConnect: false, auth: { protocolVersion: PROTOCOL_VERSION, token: '', info: { hostname, agentVersion: '0.1.0', kernel: '6.18', source: 'cli' } } });
  sockets.push(socket);
  return socket;
}
async function connectAgent(hostname: string): Promise<Socket> {
  const socket = agent(hostname);
  (socket.auth as { token: string }).token = await dash.agentToken();
  socket.connect();
  const outcome = await new Promise<Error | 'connected'>((resolve) => socket.once('connect', () => resolve('connected')).once('connect_error', resolve));
  if (outcome !== 'connected') throw Object.assign(outcome, { hostname });
  return socket;
}
const hostOnline = (online: boolean) =>
  new Promise<HostSummary>((resolve) => {
    const listener = (host: HostSummary) => {
      if (host.online !== online) return;
      browser.off('host:changed', listener);
      resolve(host);
    };
    browser.on('host:changed', listener);
  });
const samplesSeen = () => {
  const seen: HostStats['sample'][] = [];
  onHostSamples(browser, (stats: HostStats) => seen.push(stats.sample));
  return seen;
};

describe('what one host token can do', () => {
  it('clamps sample times to the dashboard clock (±5 s) before they are stored', async () => {
    const seen = samplesSeen();
    const online = hostOnline(true);
    const socket = await connectAgent('clock-skewed');
    await online;
    const sent = Date.now();
    // Browsers get the newest sample of each host per batch: the second is sent once the first is seen.
    socket.emit('stats:sampled', sample(sent + 3_600_000, 7));
    await expect.poll(() => seen.length).toBe(1);
    socket.emit('stats:sampled', sample(sent - 3_600_000, 8));
    await expect.poll(() => seen.length).toBe(2);
    const received = Date.now();
    expect(seen[0]?.at).toBeGreaterThanOrEqual(sent);
    expect(seen[0]?.at).toBeLessThanOrEqual(received + MAX_CLOCK_SKEW_MS);
    expect(seen[1]?.at).toBeGreaterThanOrEqual(sent - MAX_CLOCK_SKEW_MS);
    expect(seen[1]?.at).toBeLessThanOrEqual(received);
    const history = async () => dash.server.store.listHistory(dash.server.localAgent.hostId, 0, 100);
    await expect.poll(async () => (await history()).length).toBeGreaterThan(0);
    for (const point of await history()) expect(point.at).toBeLessThanOrEqual(received + MAX_CLOCK_SKEW_MS);
    const listed = (await browser.emitWithAck('hosts:list', {})) as { data: HostSummary[] };
    expect(listed.data[0]?.latest?.at).toBeLessThanOrEqual(received);
  });

  it('budgets samples per host: a reconnecting agent does not get a fresh budget', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // the host's budget window of the test before is over
    const seen = samplesSeen();
    const online = hostOnline(true);
    const first = await connectAgent('reconnecting');
    await online;
    const started = Date.now();
    for (let i = 0; i < 20; i++) first.emit('stats:sampled', sample(Date.now(), i));
    // Browsers get the newest sample of the host: the 20th, within the budget.
    await expect.poll(() => seen.at(-1)?.count).toBe(19);
    const offline = hostOnline(false);
    first.close();
    await offline;
    const second = await connectAgent('reconnecting');
    for (let i = 0; i < 20; i++) second.emit('stats:sampled', sample(Date.now(), 100 + i));
    const elapsed = Date.now() - started;
    second.emit('stats:sampled', sample(Date.now(), 999)); // a marker the budget may or may not let through
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The budget is 20 a second; all 40 came within one second, so the second connection's were dropped
    // (had they been accepted, the newest of them, 119, would have reached the browser: 999 is the 21st).
    expect(elapsed).toBeLessThan(1_000);
    expect(seen.filter((s) => s.count >= 100 && s.count < 999)).toEqual([]);
  });

  it('refuses a second agent while the first is healthy, audits it and shows it on the host; replaces a silent one', { timeout: 20_000 }, async () => {
    const online = hostOnline(true);
    const first = await connectAgent('the-real-agent');
    await online;
    first.emit('stats:sampled', sample(Date.now(), 1));
    const changed = new Promise<HostSummary>((resolve) => browser.once('host:changed', resolve));
    const refused = await connectAgent('an-impostor').catch((err: Error & { data?: { code: string; message: string } }) => err.data);
    expect(refused).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/already has a healthy agent connected \(the-real-agent/) });
    expect(first.connected).toBe(true);
    expect((await changed).duplicateAgent).toMatchObject({ hostname: 'an-impostor', address: expect.stringMatching(/127\.0\.0\.1/) });
    const listed = (await browser.emitWithAck('hosts:list', {})) as { data: HostSummary[] };
    expect(listed.data[0]).toMatchObject({ online: true, agent: { hostname: 'the-real-agent' }, duplicateAgent: { hostname: 'an-impostor' } });
    const rows = (await dash.server.store.listAudit(20)).filter((row) => row.action === 'host.duplicate-agent');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ target: dash.server.localAgent.hostId, result: 'error', detail: { refused: expect.stringContaining('an-impostor') } });

    // The first agent goes silent (a cut link the dashboard has not noticed yet): a new one takes over.
    await new Promise((resolve) => setTimeout(resolve, HEALTHY_MS + 200));
    const replaced = new Promise<string>((resolve) => first.once('disconnect', resolve));
    const next = await connectAgent('the-real-agent');
    expect(await replaced).toBe('io server disconnect');
    expect(next.connected).toBe(true);
  });
});
