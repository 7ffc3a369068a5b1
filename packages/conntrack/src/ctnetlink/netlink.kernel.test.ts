import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createNetns, skipKernelTests, type Netns } from '@ctscope/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Flow } from '../flow';
import { parseConntrackStats } from '../text';
import { formatFlowEvent, formatFlowExtended } from '../text/format';
import { startScenario, TCP_SESSION } from '../text/fixtures/scenario';
import { lineId, stableLine } from './testing/stable-line';

const TSX = fileURLToPath(new URL('../../../../node_modules/.bin/tsx', import.meta.url));
const PROBE = fileURLToPath(new URL('./testing/probe.ts', import.meta.url));

async function probe<T>(ns: Netns, command: string, arg?: unknown): Promise<T> {
  const { stdout } = await ns.exec(TSX, [PROBE, command, ...(arg === undefined ? [] : [JSON.stringify(arg)])]);
  return JSON.parse(stdout.trim().split('\n').pop() ?? 'null') as T;
}

/** JSON turned bigints into strings; the text formatter only prints them, so put them back. */
function revive(flow: Flow): Flow {
  const big = (v: unknown) => (typeof v === 'string' ? BigInt(v) : v);
  for (const key of ['countersOrig', 'countersReply'] as const) {
    const c = flow[key] as { packets: unknown; bytes: unknown } | undefined;
    if (c) flow[key] = { packets: big(c.packets) as bigint, bytes: big(c.bytes) as bigint };
  }
  if (flow.timestampStart !== undefined) flow.timestampStart = big(flow.timestampStart) as bigint;
  if (flow.timestampStop !== undefined) flow.timestampStop = big(flow.timestampStop) as bigint;
  return flow;
}

const ours = async (ns: Netns, filter?: unknown) => (await probe<Flow[]>(ns, 'dump', filter)).map(revive);
const cliLines = async (ns: Netns, args: string[] = []) =>
  (await ns.conntrack(['-L', '-o', 'extended,id', ...args])).stdout.split('\n').filter(Boolean);
const byId = (lines: string[]) => new Map(lines.map((l) => [lineId(l), stableLine(l)]));
const oursById = (flows: Flow[]) => new Map(flows.map((f) => [f.id, stableLine(formatFlowExtended(f))]));

describe.skipIf(skipKernelTests())('ctnetlink against the real kernel', () => {
  let ns: Netns;
  let traffic: ChildProcess;
  beforeAll(async () => {
    ns = await createNetns();
    await ns.sysctl('net.netfilter.nf_conntrack_acct', 1);
    await ns.sysctl('net.netfilter.nf_conntrack_timestamp', 1);
    // The scenario's unreplied UDP entries (mark, zone, the delete victim) must outlive a slow run.
    await ns.sysctl('net.netfilter.nf_conntrack_udp_timeout', 600);
    traffic = await startScenario(ns);
  });
  afterAll(async () => {
    traffic?.kill('SIGKILL');
    await ns?.destroy();
  });

  it('dumps what conntrack -L -o extended,id shows, entry for entry and field for field', async () => {
    const flows = await ours(ns);
    const cli = byId(await cliLines(ns));
    expect(flows.length).toBeGreaterThanOrEqual(12);
    expect(oursById(flows)).toEqual(cli);
    expect(new Set(flows.map((f) => f.proto))).toEqual(new Set(['tcp', 'udp', 'icmp', 'icmpv6']));
    expect(flows.some((f) => f.nat?.dst) && flows.some((f) => f.nat?.src)).toBe(true);
  });

  it.each([
    ['mark', { mark: { value: 16, mask: 0xffffffff } }, ['-m', '16']],
    ['zone', { zone: 3 }, ['-w', '3']],
    ['family', { family: 'ipv6' }, ['-f', 'ipv6']],
    ['status', { status: { value: 4, mask: 4 } }, ['-u', 'ASSURED']],
  ])('applies the kernel-side %s filter like conntrack -L with the same option', async (_name, filter, args) => {
    const flows = await ours(ns, filter);
    expect(flows.length).toBeGreaterThan(0);
    expect(oursById(flows)).toEqual(byId(await cliLines(ns, args)));
  });

  it.each(['dying', 'unconfirmed'] as const)('dumps the %s table like conntrack -L does', async (table) => {
    const flows = await probe<Flow[]>(ns, 'dump-table', table);
    const cli = (await ns.conntrack(['-L', table, '-o', 'extended,id'])).stdout.split('\n').filter(Boolean);
    expect(flows.map((f) => f.id).sort()).toEqual(cli.map(lineId).sort());
  });

  it('reads the same statistics as conntrack -S and the same count as conntrack -C', async () => {
    const stats = await probe<{ global: { entries: number; maxEntries: number }; cpu: unknown[] }>(ns, 'stats');
    expect(stats.cpu).toEqual(parseConntrackStats((await ns.conntrack(['-S'])).stdout));
    expect(stats.global.entries).toBe(Number((await ns.conntrack(['-C'])).stdout.trim()));
    expect(stats.global.maxEntries).toBe(Number((await ns.exec('cat', ['/proc/sys/net/netfilter/nf_conntrack_max'])).stdout.trim()));
  });

  it('sees a scripted TCP session as the same event sequence as conntrack -E', async () => {
    const events = ns.spawn(TSX, [PROBE, 'events']);
    const cli = ns.spawn('conntrack', ['-E', '-o', 'extended,id']);
    let oursOut = '';
    let cliOut = '';
    events.stdout?.on('data', (d: Buffer) => (oursOut += d.toString()));
    cli.stdout?.on('data', (d: Buffer) => (cliOut += d.toString()));
    await expect.poll(() => oursOut.includes('"ready"'), { timeout: 20_000 }).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    await ns.exec(process.execPath, ['--input-type=module', '-e', TCP_SESSION]);
    await new Promise((r) => setTimeout(r, 1000));
    cli.kill('SIGTERM');
    events.kill('SIGTERM');
    await new Promise((r) => events.once('exit', r));
    const session = (lines: string[]) => lines.map(stableLine).filter((l) => l.includes('dport=7400 '));
    const oursLines = oursOut
      .split('\n')
      .filter((l) => l.startsWith('{"type"'))
      .map((l) => {
        const e = JSON.parse(l) as { type: 'NEW' | 'UPDATE' | 'DESTROY'; flow: Flow };
        return formatFlowEvent(e.type, revive(e.flow), { extended: true, id: true });
      });
    const theirs = session(cliOut.split('\n').filter(Boolean));
    expect(theirs.length).toBeGreaterThanOrEqual(4);
    expect(session(oursLines)).toEqual(theirs);
  });

  it('deletes exactly one entry by tuple and id, and reports a second delete as gone', async () => {
    const before = await ours(ns);
    const victim = before.find((f) => f.orig.dport === 7001);
    expect(victim).toBeDefined();
    const identity = { family: victim?.family, orig: victim?.orig, id: victim?.id };
    expect(await probe<boolean>(ns, 'delete', identity)).toBe(true);
    const after = byId(await cliLines(ns));
    expect(after.has(victim?.id ?? -1)).toBe(false);
    for (const flow of before) if (flow.id !== victim?.id && flow.proto !== 'tcp') expect(after.has(flow.id ?? -1)).toBe(true);
    expect(await probe<boolean>(ns, 'delete', identity)).toBe(false);
  });

  it('creates and updates entries like conntrack -I / -U, and flushes the table', async () => {
    const tuple = (src: string, dst: string, sport: number, dport: number) => ({ src, dst, protoNum: 17, sport, dport });
    await probe(ns, 'create', { family: 'ipv4', orig: tuple('10.9.9.1', '10.9.9.2', 4000, 53), reply: tuple('10.9.9.2', '10.9.9.1', 53, 4000), timeout: 100 });
    const created = (await cliLines(ns, ['-s', '10.9.9.1']))[0] ?? '';
    expect(created).toContain('src=10.9.9.1 dst=10.9.9.2 sport=4000 dport=53');
    await probe(ns, 'update', { family: 'ipv4', orig: tuple('10.9.9.1', '10.9.9.2', 4000, 53), mark: 42 });
    expect((await cliLines(ns, ['-s', '10.9.9.1']))[0]).toContain('mark=42');
    await probe(ns, 'flush');
    expect(Number((await ns.conntrack(['-C'])).stdout.trim())).toBeLessThanOrEqual(2);
  });

  it('counts lost events as overruns when a small buffer meets a burst', async () => {
    const events = ns.spawn(TSX, [PROBE, 'events', JSON.stringify({ bufferBytes: 4096 })]);
    let out = '';
    events.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    await expect.poll(() => out.includes('"ready"'), { timeout: 20_000 }).toBe(true);
    await ns.exec(process.execPath, [
      '-e',
      "const s=require('dgram').createSocket('udp4');let n=0;const go=()=>{for(let i=0;i<200;i++,n++)s.send('x',10000+(n%5000),'127.0.0.'+(2+(n>>12)));if(n<20000)setImmediate(go);else setTimeout(()=>s.close(),200)};go();",
    ]);
    events.kill('SIGTERM');
    await new Promise((r) => events.once('exit', r));
    const last = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { overruns?: number };
    expect(last.overruns).toBeGreaterThan(0);
  });
});
