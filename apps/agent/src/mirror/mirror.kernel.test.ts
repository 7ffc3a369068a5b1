import { fileURLToPath } from 'node:url';
import { createNetns, skipKernelTests, type Netns } from '@ctscope/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import type { MirrorHealth } from './mirror';

const PROBE = fileURLToPath(new URL('./testing/mirror-probe.ts', import.meta.url));
const BURST =
  "const s=require('dgram').createSocket('udp4');let n=0;const go=()=>{for(let i=0;i<200;i++,n++)s.send('x',10000+(n%5000),'127.0.0.'+(2+(n>>12)));if(n<20000)setImmediate(go);else setTimeout(()=>s.close(),200)};go();";

let ns: Netns | undefined;
afterEach(async () => {
  await ns?.destroy();
  ns = undefined;
});

describe.skipIf(skipKernelTests())('mirror against the real kernel', () => {
  it('equals conntrack -L after a burst that overruns a small event buffer', async () => {
    ns = await createNetns();
    await ns.sysctl('net.netfilter.nf_conntrack_udp_timeout', 600);
    // node with tsx's loader (not the tsx wrapper) so SIGUSR2 reaches the probe itself.
    const probe = ns.spawn(process.execPath, ['--import', 'tsx', PROBE, '8192']);
    let out = '';
    probe.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    await expect.poll(() => out.includes('"ready"'), { timeout: 20_000 }).toBe(true);

    await ns.exec(process.execPath, ['-e', BURST]);
    // Give the mirror time to notice the overrun (or the count drift) and merge a fresh dump.
    await new Promise((r) => setTimeout(r, 2500));
    const lines = out.split('\n').length;
    probe.kill('SIGUSR2');
    await expect.poll(() => out.split('\n').length > lines, { timeout: 20_000 }).toBe(true);
    const snapshot = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { ids: number[]; health: MirrorHealth };
    const kernel = (await ns.conntrack(['-L', '-o', 'id'])).stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => Number(/ id=(\d+)\s*$/.exec(l)?.[1]));
    probe.kill('SIGTERM');

    expect(kernel.length).toBeGreaterThanOrEqual(20_000);
    expect(snapshot.health.overruns).toBeGreaterThan(0);
    expect(snapshot.health.resyncs).toBeGreaterThanOrEqual(2);
    expect(snapshot.health.lastResync?.reason).toMatch(/overrun|count-drift|buffer-full/);
    expect(new Set(snapshot.ids)).toEqual(new Set(kernel));
  });
});
