// A viewer looping every read request against a real agent: the agent's CPU and another user's answers stay bounded.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PROTOCOL_VERSION, type Ack } from '@ctscope/protocol';
import { generateTraffic, skipKernelTests } from '@ctscope/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../sockets/request-limits';
import { Cleanups } from './agent-harness';
import { onlineAgent } from './live-harness';
import { TEST_ADMIN_PASSWORD } from './test-dashboard';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

const execFileAsync = promisify(execFile);
const FLOOD_CLIENT = fileURLToPath(new URL('./flood-client.mjs', import.meta.url));
const TICKS_PER_SECOND = 100;
const FLOOD_MS = 6_000;

/** CPU seconds used by a process and the children it has waited for (`nft`, `iptables-save`, ...). */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime, stime, cutime, cstime are fields 14-17 of stat(5): 11-14 after the name and state.
  return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0) / TICKS_PER_SECOND;
}

const ESTABLISHED = 'net.netfilter.nf_conntrack_tcp_timeout_established';

describe.skipIf(skipKernelTests())('request budgets against a real agent', () => {
  it('a viewer looping every read request keeps the agent under half a core and does not slow an admin down', { timeout: 60_000 }, async () => {
    const { dash, browser: admin, hostId, ns, agent } = await onlineAgent(cleanups);
    // Entries that stay for the whole test: their expiry would be work of its own.
    await ns.sysctl('net.netfilter.nf_conntrack_udp_timeout', 600);
    await generateTraffic(ns, { udp: 30_000, tcp: 200 });
    const pid = agent.agent.pid ?? 0;
    expect((await readFile(`/proc/${pid}/comm`, 'utf8')).trim()).toBe('node');

    const hash = (await dash.server.store.findUserByName('admin'))?.passwordHash ?? '';
    await dash.server.store.createUser('looping-viewer', hash, 'viewer');
    const cookie = await dash.login('looping-viewer', TEST_ADMIN_PASSWORD);
    const reads: [string, unknown][] = [
      ['flows:aggregate', { hostId, query: '', top: 100 }],
      ['window:subscribe', { hostId, spec: { query: 'udp', sort: { column: 'src', desc: true }, offset: 0, limit: 500 } }],
      ['rules:preview', { hostId, spec: { kind: 'notrack', protocol: 'udp', ports: '53', role: 'both' } }],
      ['rules:detect', { hostId }],
      ['rules:list', { hostId }],
      ['sysctl:get', { hostId }],
      ['sysctl:preview', { hostId, changes: [{ name: ESTABLISHED, value: '2s' }] }],
      ['sysctl:persistPreview', { hostId, values: [{ name: ESTABLISHED, value: 3600 }], mode: 'merge' }],
      ['sysctl:history', { hostId, limit: 500 }],
      ['stats:history', { hostId, since: 0 }],
      ['host:history', { hostId, since: 0 }],
      ['fleet:history', { range: '24h' }],
    ];

    // Meanwhile the admin reads the table's breakdowns twice a second, as the host page does every 5 s.
    const adminLatencies: number[] = [];
    const adminAnswers: Ack<unknown>[] = [];
    const adminLoop = async (stopped: () => boolean) => {
      while (!stopped()) {
        const sent = Date.now();
        adminAnswers.push((await admin.timeout(20_000).emitWithAck('flows:aggregate', { hostId, query: '', top: 10 })) as Ack<unknown>);
        adminLatencies.push(Date.now() - sent);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    };

    // The agent's own work and the admin's answers over a quiet spell as long as the flood, on this machine as loaded as it is now.
    const quietStart = [await cpuSeconds(pid), Date.now()] as const;
    let quietOver = false;
    const quietDone = adminLoop(() => quietOver);
    await new Promise((resolve) => setTimeout(resolve, FLOOD_MS));
    quietOver = true;
    await quietDone;
    const quiet = ((await cpuSeconds(pid)) - quietStart[0]) / ((Date.now() - quietStart[1]) / 1000);
    const quietSlowest = Math.max(...adminLatencies);
    adminLatencies.length = 0;
    adminAnswers.length = 0;

    const cpuBefore = await cpuSeconds(pid);
    const started = Date.now();
    const flood = execFileAsync(process.execPath, [FLOOD_CLIENT, JSON.stringify({ url: dash.url, cookie, protocolVersion: PROTOCOL_VERSION, tabs: 2, loopsPerRead: 2, durationMs: FLOOD_MS, reads })]);
    let stop = false;
    const adminDone = adminLoop(() => stop);
    const codes = JSON.parse((await flood).stdout.trim()) as Record<string, number>;
    stop = true;
    await adminDone;
    const cpuShare = (await cpuSeconds(pid)) - cpuBefore;
    const elapsed = (Date.now() - started) / 1000;

    const share = cpuShare / elapsed;
    const slowest = Math.max(...adminLatencies);
    console.log(`agent CPU ${(share * 100).toFixed(1)} % of a core (quiet: ${(quiet * 100).toFixed(1)} %) over ${elapsed.toFixed(1)} s; admin answers: ${adminLatencies.length}, slowest ${slowest} ms (quiet: ${quietSlowest} ms); viewer answers: ${JSON.stringify(codes)}`);
    // Every answer is data or RATE_LIMITED (nothing timed out, nothing failed), or the socket was closed
    // for sending regardless (the script reconnects and goes on).
    expect(Object.keys(codes).filter((code) => !['RATE_LIMITED', 'CLOSED', 'reconnected'].includes(code) && !code.endsWith(' ok'))).toEqual([]);
    expect(codes.RATE_LIMITED).toBeGreaterThan(0);
    expect(codes.reconnected).toBeGreaterThan(0);
    // All these reads share the user's heavy budget: its burst, then its rate.
    const served = Object.entries(codes).reduce((sum, [code, n]) => (code.endsWith(' ok') ? sum + n : sum), 0);
    const { burst, rate } = DEFAULT_LIMITS.user.heavy;
    expect(served).toBeLessThanOrEqual(burst + rate * elapsed);
    // A budget that reconnecting refilled let this loop keep the agent at 55-85 % of a core; now ~15 %.
    expect(share - quiet).toBeLessThan(0.5);
    // The admin is served throughout: each answer waits behind at most the viewer's few unanswered reads.
    expect(adminAnswers.length).toBeGreaterThanOrEqual(4);
    expect(adminAnswers.every((answer) => answer.ok)).toBe(true);
    expect(slowest).toBeLessThan(Math.max(2_000, 5 * quietSlowest));
  });
});
