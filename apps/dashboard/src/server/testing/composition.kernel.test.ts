// Composition history against the real kernel: an agent in a namespace, steady UDP traffic to two
// ports, then a flood to a third port from one source. The growth view (through the dashboard's
// browser API, from the stored summaries) and the usage alert must both name that port and source.
// Then a flood in another namespace: the namespaces of the growth view, counted from inside each.
import { statSync } from 'node:fs';
import type { Alert, CompositionGrowth, HostStats } from '@ctscope/protocol';
import { createNetns, skipKernelTests, type Netns } from '@ctscope/testkit';
import type { Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { Cleanups, onHostSamples, stop } from './agent-harness';
import { onlineAgent, request, unwrap } from './live-harness';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

/** SOCKETS sockets per port, each sending a datagram every 300 ms: the same entries, refreshed, a steady count. */
const STEADY = `const d = require('node:dgram'); const ports = process.argv.slice(1).map(Number);
for (const port of ports) for (let i = 0; i < 20; i++) { const s = d.createSocket('udp4'); s.bind(0, '127.0.0.1', () => setInterval(() => s.send('x', port, '127.0.0.1'), 300)); }
console.log('steady');`;
/** N datagrams from 127.0.0.9 to PORT, each from a socket of its own: N new entries. */
const FLOOD = `const d = require('node:dgram'); const [n, port] = process.argv.slice(1).map(Number); let left = n; let done = 0;
const one = () => { if (left <= 0) return; left--; const s = d.createSocket('udp4');
  s.bind(0, '127.0.0.9', () => s.send('x', port, '127.0.0.1', () => { s.close(); if (++done === n) console.log('flooded'); else setImmediate(one); })); };
for (let i = 0; i < 16; i++) one();`;
const FLOOD_ENTRIES = 3_000;

/** A named namespace's inode, as the summaries key it. */
const inodeOf = (ns: Netns) => String(statSync(`/run/netns/${ns.name}`).ino);

function started(ns: Netns, script: string, args: string[], marker: string): Promise<void> {
  const child = ns.spawn(process.execPath, ['-e', script, ...args]);
  cleanups.add(() => stop(child));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(marker)) resolve();
    });
    child.once('exit', (code) => (out.includes(marker) ? resolve() : reject(new Error(`traffic script exited (${code}) before "${marker}"`))));
  });
}

async function until<T>(what: string, get: () => Promise<T>, ok: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await get();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what} within ${timeoutMs} ms; last seen: ${JSON.stringify(last)?.slice(0, 1_500)}`);
}

const usageAlert = (browser: Socket, ok: (alert: Alert) => boolean, timeoutMs: number) =>
  new Promise<Alert>((resolve, reject) => {
    let last: Alert | undefined;
    const timer = setTimeout(() => {
      stopListening();
      reject(new Error(`no matching usage alert within ${timeoutMs} ms; last: ${last?.message ?? 'none'}`));
    }, timeoutMs);
    const onSample = (stats: HostStats) => {
      const alert = stats.sample.alerts?.find((a) => a.name === 'table-usage');
      if (alert) last = alert;
      if (!alert || !ok(alert)) return;
      clearTimeout(timer);
      stopListening();
      resolve(alert);
    };
    const stopListening = onHostSamples(browser, onSample);
  });

describe.skipIf(skipKernelTests())('composition history, real kernel', () => {
  it('a flood to one port from one source tops the growth view and the usage alert; steady ports do not grow', { timeout: 120_000 }, async () => {
    const max = Number((await import('node:fs')).readFileSync('/proc/sys/net/netfilter/nf_conntrack_max', 'utf8').trim());
    // The namespace's own count against the global max: a warning level between the steady table and the flooded one.
    const warning = ((40 + FLOOD_ENTRIES / 2) / max) * 100;
    const { browser, ns, hostId } = await onlineAgent(cleanups, ['--composition-interval', '2', '--usage-warning', warning.toFixed(6)]);
    const growth = (minutes: number) => request<CompositionGrowth>(browser, 'composition:growth', { hostId, from: Date.now() - minutes * 60_000, to: Date.now() }).then(unwrap);

    await started(ns, STEADY, ['7001', '7002'], 'steady');
    // Two summaries with the steady table in it: the flood's growth is measured from there.
    const before = await until('two summaries of the steady table', () => growth(5), (g) => g.points.length >= 2 && (g.to?.ports.top.find((k) => k.key === 'udp/7002')?.count ?? 0) >= 20, 30_000);
    expect(before.to?.ports.top.find((k) => k.key === 'udp/5353')).toBeUndefined();
    await new Promise((r) => setTimeout(r, 2_500));

    await started(ns, FLOOD, [String(FLOOD_ENTRIES), '5353'], 'flooded');
    const cli = (await ns.conntrack(['-L', '-p', 'udp', '--dport', '5353'])).stdout.split('\n').filter((l) => l.trim()).length;
    // Closed sockets' ports are reused, so a few datagrams share an entry: the CLI says how many there are.
    expect(cli).toBeGreaterThan(FLOOD_ENTRIES / 2);
    const after = await until('the flood in a summary', () => growth(5), (g) => g.to?.ports.top.find((k) => k.key === 'udp/5353')?.count === cli, 30_000);

    const [top, second] = after.rows;
    expect(top).toMatchObject({ dimension: 'port', key: 'udp/5353', added: cli, exact: true });
    expect(second).toMatchObject({ dimension: 'source', key: '127.0.0.9', added: cli, exact: true });
    expect(top?.series[0]).toBe(0);
    expect(top?.series[top.series.length - 1]).toBe(cli);
    // The steady ports held their count: nothing of theirs is ranked.
    expect(after.rows.filter((r) => r.key === 'udp/7001' || r.key === 'udp/7002')).toEqual([]);
    // The agent's namespace grew by the flood (other namespaces of a shared machine may grow too).
    expect(after.rows.find((r) => r.dimension === 'netns' && r.label === 'host')?.added).toBeGreaterThanOrEqual(cli);
    // The agent's own namespace counts the table it mirrors; the others (this machine's) come from the counter.
    expect(after.to?.byNetns).toEqual(expect.arrayContaining([expect.objectContaining({ netns: inodeOf(ns), name: 'host', source: 'host', entries: after.to?.total })]));

    const alert = await usageAlert(browser, (a) => a.message.includes('udp/5353'), 20_000);
    const n = cli.toLocaleString('en-US');
    expect(alert.message).toMatch(new RegExp(`growing over the last \\d+ s: dport udp/5353 \\+${n}, src 127\\.0\\.0\\.9 \\+${n}`));
    expect(alert.message).toMatch(/namespaces: host \+[\d,]+/);
    expect(alert.message).not.toMatch(/udp\/700[12]/);
  });

  it('a flood in another namespace tops the namespaces of the growth view, counted from inside each (conntrack -C)', { timeout: 120_000 }, async () => {
    const { browser, hostId } = await onlineAgent(cleanups, ['--composition-interval', '2']);
    const growth = () => request<CompositionGrowth>(browser, 'composition:growth', { hostId, from: Date.now() - 5 * 60_000, to: Date.now() }).then(unwrap);
    const [flooded, steady] = await Promise.all([createNetns({ hooks: true }), createNetns({ hooks: true })]);
    cleanups.add(() => flooded.destroy());
    cleanups.add(() => steady.destroy());
    await started(steady, STEADY, ['7001'], 'steady');
    const counted = (g: CompositionGrowth, name: string) => g.to?.byNetns.find((n) => n.name === name)?.entries ?? -1;
    // The namespace counter passes every 10 s: wait for one that saw the steady namespace's entries.
    await until('a summary counting the steady namespace', growth, (g) => g.points.length >= 2 && counted(g, steady.name) >= 20, 40_000);

    await started(flooded, FLOOD, [String(FLOOD_ENTRIES), '5353'], 'flooded');
    const inside = Number((await flooded.conntrack(['-C'])).stdout.trim());
    expect(inside).toBeGreaterThan(FLOOD_ENTRIES / 2);
    const after = await until('a summary counting the flood', growth, (g) => counted(g, flooded.name) === inside, 40_000);
    const namespaces = after.rows.filter((r) => r.dimension === 'netns');
    expect(namespaces[0], JSON.stringify(namespaces.map((r) => [r.label, r.added]))).toMatchObject({ label: `named ${flooded.name}` });
    expect(namespaces[0]?.added).toBeGreaterThanOrEqual(inside - 5);
    // The steady namespace grew only by its own start (20 sockets) within the five minutes.
    expect(namespaces.find((r) => r.label === `named ${steady.name}`)?.added ?? 0).toBeLessThanOrEqual(25);
    expect(counted(after, steady.name)).toBe(Number((await steady.conntrack(['-C'])).stdout.trim()));
  });
});
