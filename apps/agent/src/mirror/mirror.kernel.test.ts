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

interface Snapshot {
  ids: number[];
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

async function startProbe(netns: Netns, bufferBytes: number): Promise<Probe> {
  // node with tsx's loader (not the tsx wrapper) so SIGUSR2 reaches the probe itself.
  const child: ChildProcess = netns.spawn(process.execPath, ['--import', 'tsx', PROBE, String(bufferBytes)]);
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
    // The check runs every second; re-reading 25 entries is cheap enough to run at each.
    await new Promise((r) => setTimeout(r, 2500));
    const snapshot = await probe.snapshot();
    const kernel = await kernelIds(ns);
    probe.stop();

    expect(kernel).toHaveLength(23);
    expect(new Set(snapshot.ids)).toEqual(new Set(kernel));
    // The kernel announced the end of the newer entry only: the older one was learnt from a dump.
    expect(snapshot.health.events).toMatchObject({ NEW: 5, DESTROY: 1 });
    expect(snapshot.health.eventless).toBe(19);
    expect(snapshot.health.lastResync?.reason).toBe('eventless');
  });
});
