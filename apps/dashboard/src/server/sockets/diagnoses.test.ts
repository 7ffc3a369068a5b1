import { PROTOCOL_VERSION, type Diagnosis, type DiagnosisCount, type DiagnosisCounts, type HostDiagnoses } from '@ctscope/protocol';
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestDashboard, type TestDashboard } from '../testing/test-dashboard';

let dash: TestDashboard;
const sockets: Socket[] = [];
beforeAll(async () => {
  dash = await startTestDashboard();
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});
afterAll(async () => {
  await dash.close();
});

const info = { hostname: 'test-host', agentVersion: '0.1.0', kernel: '6.18', source: 'cli' as const };
const connect = async (namespace: string, options: Parameters<typeof io>[1]) => {
  const socket = io(`${dash.url}${namespace}`, { transports: ['websocket'], reconnection: false, forceNew: true, ...options });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('connect_error', reject));
  return socket;
};
const browser = async () => connect('/browsers', { auth: { protocolVersion: PROTOCOL_VERSION }, extraHeaders: { cookie: await dash.login(), origin: dash.url } });

const diagnosis = (name: Diagnosis['name'], severity: Diagnosis['severity'], since: number): Diagnosis => ({
  name,
  id: `${name}:1`,
  title: `${name} seen`,
  severity,
  since,
  meaning: 'Something is wrong. Here is why.',
  evidence: { facts: [{ label: 'stuck entries', value: '12' }], query: 'udp unreplied', examples: [] },
  fixes: [{ kind: 'advice', label: 'Read this', text: 'Do that.' }],
});

/** The next event of this name whose payload passes `ok`. */
const next = <T>(socket: Socket, event: string, ok: (payload: T) => boolean = () => true) =>
  new Promise<T>((resolve) => {
    const listener = (payload: T) => {
      if (!ok(payload)) return;
      socket.off(event, listener);
      resolve(payload);
    };
    socket.on(event, listener);
  });
const countOf = (batch: DiagnosisCounts, hostId: string): DiagnosisCount | undefined => batch.counts.find((c) => c.hostId === hostId);

describe('diagnoses from agents to browsers', () => {
  it('relays a host’s report to the browsers watching it (on the dashboard clock), counts to all, drops malformed reports and forgets them when the host goes offline', async () => {
    const hostId = dash.server.localAgent.hostId;
    const page = await browser();
    const overview = await browser();
    const agent = await connect('/agents', { auth: { protocolVersion: PROTOCOL_VERSION, token: await dash.agentToken(), info } });

    // Nothing known yet.
    expect(await page.emitWithAck('diagnoses:watch', { hostId })).toEqual({ ok: true, data: { hostId, report: null } });
    expect(await page.emitWithAck('diagnoses:watch', { hostId: 'NOT A HOST' })).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
    expect(await overview.emitWithAck('diagnoses:counts', {})).toEqual({ ok: true, data: [] });

    // The agent's clock is an hour behind: "since" is moved onto the dashboard's clock.
    const skew = -3_600_000;
    const agentNow = Date.now() + skew;
    const pushed = next<HostDiagnoses>(page, 'diagnoses:reported');
    const counted = next<DiagnosisCounts>(overview, 'diagnoses:counted', (b) => countOf(b, hostId) !== undefined);
    agent.emit('diagnoses:reported', { at: agentNow, active: [{ ...diagnosis('invalid-drops', 'warning', agentNow - 60_000), severity: 'fatal' }] }); // malformed: dropped
    agent.emit('diagnoses:reported', { at: agentNow, active: [diagnosis('invalid-drops', 'warning', agentNow - 60_000), diagnosis('udp-black-hole', 'critical', agentNow - 5_000)] });
    const report = (await pushed).report;
    expect(report?.active.map((d) => d.name)).toEqual(['invalid-drops', 'udp-black-hole']);
    expect(Math.abs((report?.at ?? 0) - Date.now())).toBeLessThan(2_000);
    expect(Math.abs(Date.now() - 60_000 - (report?.active[0]?.since ?? 0))).toBeLessThan(2_000);
    expect(countOf(await counted, hostId)).toEqual({ hostId, count: 2, worst: 'critical', names: ['udp-black-hole', 'invalid-drops'] });

    // A late watcher gets the latest with its answer; the overview's list has the count.
    const late = await browser();
    expect(await late.emitWithAck('diagnoses:watch', { hostId })).toMatchObject({ ok: true, data: { hostId, report: { active: [{ name: 'invalid-drops' }, { name: 'udp-black-hole' }] } } });
    expect(await overview.emitWithAck('diagnoses:counts', {})).toEqual({ ok: true, data: [{ hostId, count: 2, worst: 'critical', names: ['udp-black-hole', 'invalid-drops'] }] });

    // A browser watching nothing gets no reports; the unchanged count is not sent again.
    let reportsToOverview = 0;
    overview.on('diagnoses:reported', () => reportsToOverview++);
    let countsSent = 0;
    overview.on('diagnoses:counted', () => countsSent++);
    const again = next<HostDiagnoses>(page, 'diagnoses:reported');
    agent.emit('diagnoses:reported', { at: agentNow + 1_000, active: [diagnosis('invalid-drops', 'warning', agentNow - 60_000), diagnosis('udp-black-hole', 'critical', agentNow - 5_000)] });
    await again;
    await new Promise((r) => setTimeout(r, 200));
    expect(reportsToOverview).toBe(0);
    expect(countsSent).toBe(0);

    // Offline: the report is forgotten, watchers hear null, the count drops to none.
    const cleared = next<HostDiagnoses>(page, 'diagnoses:reported', (d) => d.report === null);
    const zero = next<DiagnosisCounts>(overview, 'diagnoses:counted', (b) => countOf(b, hostId)?.count === 0);
    agent.close();
    await cleared;
    expect(countOf(await zero, hostId)).toEqual({ hostId, count: 0, worst: null, names: [] });
    expect(await late.emitWithAck('diagnoses:watch', { hostId })).toEqual({ ok: true, data: { hostId, report: null } });
    expect(await overview.emitWithAck('diagnoses:counts', {})).toEqual({ ok: true, data: [] });
  });

  it('follows one host per socket: watching another leaves the first', async () => {
    const hostId = dash.server.localAgent.hostId;
    const page = await browser();
    await page.emitWithAck('diagnoses:watch', { hostId });
    await page.emitWithAck('diagnoses:watch', { hostId: 'other-host' });
    let pushed = 0;
    page.on('diagnoses:reported', () => pushed++);
    const agent = await connect('/agents', { auth: { protocolVersion: PROTOCOL_VERSION, token: await dash.agentToken(), info } });
    const watcher = await browser();
    await watcher.emitWithAck('diagnoses:watch', { hostId });
    const seen = next<HostDiagnoses>(watcher, 'diagnoses:reported');
    agent.emit('diagnoses:reported', { at: Date.now(), active: [diagnosis('table-filled-by-state', 'warning', Date.now())] });
    await seen;
    await new Promise((r) => setTimeout(r, 200));
    expect(pushed).toBe(0);
  });
});
