// NetlinkSource.getFlow against `conntrack -G`: one entry read afresh, its counters moving with traffic
// that sends no event, and null once the entry is gone.
import { fileURLToPath } from 'node:url';
import { createNetns, skipKernelTests, type Netns } from '@ctscope/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import type { Flow } from '../flow';

const TSX = fileURLToPath(new URL('../../../../node_modules/.bin/tsx', import.meta.url));
const PROBE = fileURLToPath(new URL('./testing/probe.ts', import.meta.url));
/** argv[1] datagrams from 127.0.0.1:40100 to 127.0.0.1:40200 (nobody listens: one unreplied entry). */
const SEND = "const s=require('dgram').createSocket('udp4');const n=Number(process.argv[1]);s.bind(40100,'127.0.0.1',()=>{let left=n;for(let i=0;i<n;i++)s.send('x',40200,'127.0.0.1',()=>--left||s.close())});";

let ns: Netns | undefined;
afterEach(async () => {
  await ns?.destroy();
  ns = undefined;
});

async function probe<T>(netns: Netns, command: string, arg?: unknown): Promise<T> {
  const { stdout } = await netns.exec(TSX, [PROBE, command, ...(arg === undefined ? [] : [JSON.stringify(arg)])]);
  return JSON.parse(stdout.trim().split('\n').pop() ?? 'null') as T;
}

/** Original-direction packets of the entry, as `conntrack -G` prints them. */
async function cliPackets(netns: Netns): Promise<number> {
  const { stdout } = await netns.conntrack(['-G', '-p', 'udp', '-s', '127.0.0.1', '-d', '127.0.0.1', '--sport', '40100', '--dport', '40200']);
  return Number(/packets=(\d+)/.exec(stdout)?.[1]);
}

describe.skipIf(skipKernelTests())('NetlinkSource.getFlow against the real kernel', () => {
  it('reads one entry with the counters conntrack -G shows, fresh after more traffic, null once deleted', { timeout: 60_000 }, async () => {
    ns = await createNetns();
    await ns.sysctl('net.netfilter.nf_conntrack_acct', 1);
    await ns.exec(process.execPath, ['-e', SEND, '2']);
    const [dumped] = (await probe<Flow[]>(ns, 'dump')).filter((f) => f.orig.dport === 40200);
    if (!dumped) throw new Error('no entry for the datagrams');
    type Read = Flow & { countersOrig?: { packets: string } };
    const first = await probe<Read | null>(ns, 'get', dumped);
    expect(first?.id).toBe(dumped.id);
    expect(Number(first?.countersOrig?.packets)).toBe(2);
    expect(await cliPackets(ns)).toBe(2);

    await ns.exec(process.execPath, ['-e', SEND, '3']);
    const again = await probe<Read | null>(ns, 'get', dumped);
    expect(Number(again?.countersOrig?.packets)).toBe(5);
    expect(await cliPackets(ns)).toBe(5);

    expect(await probe<boolean>(ns, 'delete', dumped)).toBe(true);
    expect(await probe<Read | null>(ns, 'get', dumped)).toBeNull();
  });
});
