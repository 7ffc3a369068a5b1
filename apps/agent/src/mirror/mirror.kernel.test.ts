import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createNetns, skipKernelTests, type Netns } from '@ctscope/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import type { MirrorHealth } from './mirror';

const PROBE = fileURLToPath(new URL('./testing/mirror-probe.ts', import.meta.url));
const BURST =
  "const s=require('dgram').createSocket('udp4');let n=0;const go=()=>{for(let i=0;i<200;i++,n++)s.send('x',10000+(n%5000),'127.0.0.'+(2+(n>>12)));if(n<20000)setImmediate(go);else setTimeout(()=>s.close(),200)};go();";
/** One UDP datagram to each port from argv[1] to argv[2]: one conntrack entry per port. */
const TO_PORTS = "const s=require('dgram').createSocket('udp4');const [a,b]=process.argv.slice(1).map(Number);let left=b-a+1;for(let p=a;p<=b;p++)s.send('x',p,'127.0.0.1',()=>--left||s.close());";

/**
 * argv[2] new UDP flows every 10 ms for argv[1] ms, each to an address and port of its own (a new
 * conntrack entry each); prints how many datagrams the kernel took.
 */
const CHURN =
  "const s=require('dgram').createSocket('udp4');const [ms,per]=process.argv.slice(1).map(Number);let n=0,sent=0,done=0;const end=Date.now()+ms;" +
  "const t=setInterval(()=>{for(let i=0;i<per;i++,n++)s.send('x',20000+(n>>16),'127.2.'+((n>>8)&255)+'.'+(n&255),(e)=>{done++;if(!e)sent++});" +
  "if(Date.now()>=end){clearInterval(t);const w=setInterval(()=>{if(done===n){clearInterval(w);s.close();console.log(sent)}},20)}},10);";

interface Snapshot {
  ids: number[];
  keys: string[];
  received: Record<'NEW' | 'UPDATE' | 'DESTROY', number>;
  lostEvents: number;
  health: MirrorHealth;
}

interface Probe {
  /** The settled mirror, printed by the probe on SIGUSR2. */
  snapshot(): Promise<Snapshot>;
  stop(): void;
}

let ns: Netns | undefined;
afterEach(async () => {
  await ns?.destroy();
  ns = undefined;
});

/** checkIntervalMs 0: the agent's own (30 s), so only what the event path notices can heal the mirror in a test's time. */
async function startProbe(netns: Netns, bufferBytes: number, checkIntervalMs = 1000): Promise<Probe> {
  // node with tsx's loader (not the tsx wrapper) so SIGUSR2 reaches the probe itself.
  const child: ChildProcess = netns.spawn(process.execPath, ['--import', 'tsx', PROBE, String(bufferBytes), String(checkIntervalMs)]);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  await expect.poll(() => out.includes('"ready"'), { timeout: 20_000 }).toBe(true);
  return {
    snapshot: async () => {
      const lines = out.split('\n').length;
      child.kill('SIGUSR2');
      await expect.poll(() => out.split('\n').length > lines, { timeout: 20_000 }).toBe(true);
      return JSON.parse(out.trim().split('\n').pop() ?? '{}') as Snapshot;
    },
    stop: () => child.kill('SIGTERM'),
  };
}

async function kernelIds(netns: Netns): Promise<number[]> {
  return (await netns.conntrack(['-L', '-o', 'id'])).stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => Number(/ id=(\d+)\s*$/.exec(l)?.[1]));
}

/** `id proto src dst sport dport` of the original direction of each entry, as the probe prints its keys. */
async function kernelKeys(netns: Netns): Promise<string[]> {
  return (await netns.conntrack(['-L', '-o', 'id'])).stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const field = (name: string) => new RegExp(`\\b${name}=(\\S+)`).exec(line)?.[1] ?? '-';
      return `${/ id=(\d+)\s*$/.exec(line)?.[1] ?? '?'} ${line.split(/\s+/)[0]} ${field('src')} ${field('dst')} ${field('sport')} ${field('dport')}`;
    })
    .sort();
}

describe.skipIf(skipKernelTests())('mirror against the real kernel', () => {
  it('equals conntrack -L after a burst that overruns a small event buffer', async () => {
    ns = await createNetns();
    await ns.sysctl('net.netfilter.nf_conntrack_udp_timeout', 600);
    const probe = await startProbe(ns, 8192);
    await ns.exec(process.execPath, ['-e', BURST]);
    // Give the mirror time to notice the overrun (or the count drift) and merge a fresh dump.
    await new Promise((r) => setTimeout(r, 2500));
    const snapshot = await probe.snapshot();
    const kernel = await kernelIds(ns);
    probe.stop();

    expect(kernel.length).toBeGreaterThanOrEqual(20_000);
    expect(snapshot.health.overruns).toBeGreaterThan(0);
    expect(snapshot.health.resyncs).toBeGreaterThanOrEqual(2);
    // Entries whose NEW event was lost count as eventless until their next event, so re-reads go on.
    expect(snapshot.health.lastResync?.reason).toMatch(/overrun|count-drift|buffer-full|eventless/);
    expect(new Set(snapshot.ids)).toEqual(new Set(kernel));
  });

  it('follows entries older than its subscription, which the kernel reports no events for, by re-reading', async () => {
    ns = await createNetns();
    expect((await ns.exec('sysctl', ['-n', 'net.netfilter.nf_conntrack_events'])).stdout.trim()).toBe('2');
    await ns.sysctl('net.netfilter.nf_conntrack_udp_timeout', 600);
    await ns.exec(process.execPath, ['-e', TO_PORTS, '20001', '20020']);
    const probe = await startProbe(ns, 0);
    expect((await probe.snapshot()).health).toMatchObject({ entries: 20, eventless: 20 });

    await ns.exec(process.execPath, ['-e', TO_PORTS, '20101', '20105']);
    // One entry from before the mirror started and one from after, deleted behind its back.
    await ns.conntrack(['-D', '-p', 'udp', '--dport', '20001']);
    await ns.conntrack(['-D', '-p', 'udp', '--dport', '20101']);
    // The check runs every second; a re-read waits 50 times the last one's duration, a few milliseconds
    // for 25 entries. (The kernel walks one hash table shared by every namespace: while another
    // namespace on the machine holds a big table, even this one's dump takes tens of milliseconds.)
    let snapshot = await probe.snapshot();
    let kernel = await kernelIds(ns);
    for (const started = Date.now(); Date.now() - started < 15_000; ) {
      await new Promise((r) => setTimeout(r, 500));
      snapshot = await probe.snapshot();
      kernel = await kernelIds(ns);
      if (snapshot.health.lastResync?.reason === 'eventless' && JSON.stringify([...snapshot.ids].sort()) === JSON.stringify([...kernel].sort())) break;
    }
    probe.stop();

    expect(kernel).toHaveLength(23);
    expect(new Set(snapshot.ids)).toEqual(new Set(kernel));
    // The kernel announced the end of the newer entry only: the older one was learnt from a dump.
    expect(snapshot.health.events).toMatchObject({ NEW: 5, DESTROY: 1 });
    expect(snapshot.health.eventless).toBe(19);
    expect(snapshot.health.lastResync?.reason).toBe('eventless');
  });

  it('follows sustained churn through a small buffer: every event received or counted lost, equal to conntrack -L soon after', async () => {
    ns = await createNetns();
    // Long-lived entries first (600 s), then churn that dies after 1 s: entries keep the timeout they were made with.
    await ns.sysctl('net.netfilter.nf_conntrack_udp_timeout', 600);
    await ns.exec(process.execPath, ['-e', TO_PORTS, '30001', '30500']);
    await ns.sysctl('net.netfilter.nf_conntrack_udp_timeout', 1);
    // A buffer of a few events: the kernel drops some, mostly without ENOBUFS while the queue stays full.
    const probe = await startProbe(ns, 8192, 0);
    const sent = Number((await ns.exec(process.execPath, ['-e', CHURN, '6000', '20'])).stdout.trim());
    const stopped = Date.now();

    let snapshot: Snapshot | undefined;
    let kernel: string[] = [];
    while (Date.now() - stopped < 5000) {
      kernel = await kernelKeys(ns);
      snapshot = await probe.snapshot();
      if (kernel.length === 500 && JSON.stringify(kernel) === JSON.stringify([...snapshot.keys].sort())) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    await new Promise((r) => setTimeout(r, 500));
    snapshot = await probe.snapshot();
    const stats = (await ns.conntrack(['-S'])).stdout;
    probe.stop();

    expect(sent).toBeGreaterThan(2000);
    expect(stats).not.toMatch(/\b(insert_failed|drop|early_drop)=[1-9]/); // every datagram made an entry
    expect(kernel).toHaveLength(500); // every churn entry is gone: the kernel made a NEW and a DESTROY for each
    expect([...snapshot.keys].sort()).toEqual(kernel);
    expect(snapshot.health.overruns).toBeGreaterThan(0);
    expect(snapshot.lostEvents).toBeGreaterThan(0);
    expect(snapshot.received.NEW + snapshot.received.DESTROY + snapshot.lostEvents).toBe(2 * sent);
    // The mirror's health (ctscope_events_lost_total, lostEvents in samples and /healthz) carries that exact count.
    expect(snapshot.health.lostEvents).toBe(snapshot.lostEvents);
  });
});
