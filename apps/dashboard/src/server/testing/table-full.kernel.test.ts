// A real "nf_conntrack: table full, dropping packet": the GLOBAL nf_conntrack_max is lowered below the
// number of entries a test namespace holds, for as short a time as the alerts need to be seen, and only
// where the test owns the machine (CI=true). The namespace's count is its own, but every namespace's
// count is checked against that one global max, so the value is restored in a finally, even on failure.
import { readFile, writeFile } from 'node:fs/promises';
import type { Alert, HostStats } from '@ctscope/protocol';
import { skipKernelTests, startTraffic, type Netns } from '@ctscope/testkit';
import type { Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { Cleanups, onHostSamples, stop } from './agent-harness';
import { onlineAgent } from './live-harness';

const MAX_FILE = '/proc/sys/net/netfilter/nf_conntrack_max';
const COUNT_FILE = '/proc/sys/net/netfilter/nf_conntrack_count';
const SKIP_REASON = 'lowers the GLOBAL net.netfilter.nf_conntrack_max for a few seconds; runs only when CI=true (a machine the test owns)';
/** UDP datagrams to COUNT new ports: each needs a new conntrack entry. Plain Node, run inside the namespace. */
const SPRAY = `const s = require('node:dgram').createSocket('udp4'); const n = Number(process.argv[1]); let left = n;
for (let i = 0; i < n; i++) s.send('x', 20000 + i, '127.0.0.1', () => { if (--left === 0) s.close(); });`;

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

const readNumber = async (file: string) => Number((await readFile(file, 'utf8')).trim());
const nsCount = async (ns: Netns) => Number((await ns.conntrack(['-C'])).stdout.trim());

/**
 * Resolves once the alerts seen in the dashboard's samples since the call (each alert's latest state)
 * satisfy `ok`; fails after `timeoutMs` saying what was seen. With `current`, only the latest sample counts.
 */
function alertsWhere(browser: Socket, ok: (alerts: Map<string, Alert>) => boolean, timeoutMs: number, current = false): Promise<Map<string, Alert>> {
  return new Promise((resolve, reject) => {
    const seen = new Map<string, Alert>();
    const timer = setTimeout(() => {
      stopListening();
      reject(new Error(`within ${timeoutMs} ms the dashboard showed [${[...seen.values()].map((a) => `${a.name}:${a.severity}`).join(', ')}]`));
    }, timeoutMs);
    const onSample = (stats: HostStats) => {
      if (current) seen.clear();
      for (const alert of stats.sample.alerts ?? []) seen.set(alert.name, alert);
      if (!ok(seen)) return;
      clearTimeout(timer);
      stopListening();
      resolve(seen);
    };
    const stopListening = onHostSamples(browser, onSample);
  });
}

/** Starts `count` ESTABLISHED TCP connections in the namespace, held until the test ends. */
async function holdConnections(ns: Netns, count: number): Promise<() => Promise<void>> {
  const child = startTraffic(ns, { hold: count });
  const release = () => stop(child);
  cleanups.add(release);
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the traffic generator exited (${code}) before holding ${count} connections`)));
  });
  return release;
}

const FULL_ALERTS = ['kernel-table-full', 'drop-rising'];

describe.skipIf(skipKernelTests())('table full, real kernel (global nf_conntrack_max lowered, CI only)', () => {
  it('usage warning, then critical with the kernel table-full line and drops; all clear once the max is restored and the entries flushed', { timeout: 180_000 }, async (ctx) => {
    if (process.env.CI !== 'true') ctx.skip(SKIP_REASON);
    const { browser, ns } = await onlineAgent(cleanups, ['--interval', '0.2', '--alert-clear-after', '5']);
    const original = await readNumber(MAX_FILE);
    // Every namespace's count is compared with the one max: keep it well above the host's own table.
    const target = Math.max(2_048, 2 * (await readNumber(COUNT_FILE)) + 1_024);
    if (target * 1.2 >= original) ctx.skip(`nf_conntrack_max is already low (${original}); lowering it further would hurt this host`);

    // ESTABLISHED connections are ASSURED and not in a closing state: neither early_drop nor the GC
    // worker may evict them, so once the table is full new packets really are dropped.
    const release = await holdConnections(ns, target);
    const count = await nsCount(ns);
    expect(count).toBeGreaterThanOrEqual(target);

    let raised: Map<string, Alert>;
    try {
      // 92 %: above the 90 % warning level, below the 95 % critical one.
      await writeFile(MAX_FILE, String(Math.ceil(count / 0.92)));
      const warned = await alertsWhere(browser, (a) => a.get('table-usage')?.severity === 'warning', 10_000, true);
      expect(warned.get('table-usage')?.message).toMatch(/Table 9\d % full/);

      await writeFile(MAX_FILE, String(count - 64));
      const full = alertsWhere(browser, (a) => a.get('table-usage')?.severity === 'critical' && FULL_ALERTS.every((name) => a.has(name)), 15_000);
      await ns.exec(process.execPath, ['-e', SPRAY, '200']);
      raised = await full;
    } finally {
      await writeFile(MAX_FILE, String(original));
    }
    expect(await readNumber(MAX_FILE)).toBe(original);

    expect(raised.get('table-usage')?.message).toMatch(/Table 1\d\d % full .*nf_conntrack_max/);
    expect(raised.get('kernel-table-full')).toMatchObject({ severity: 'critical', message: expect.stringMatching(/table full, dropping packet/) as unknown });
    expect(raised.get('drop-rising')?.severity).toBe('critical');
    const stats = (await ns.conntrack(['-S'])).stdout;
    const drops = [...stats.matchAll(/\bdrop=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
    expect(drops).toBeGreaterThan(0);

    await release();
    await ns.conntrack(['-F']);
    // Rejects, naming what the dashboard still shows, unless every alert clears.
    await alertsWhere(browser, (a) => !a.has('table-usage') && FULL_ALERTS.every((name) => !a.has(name)), 30_000, true);
  });
});
