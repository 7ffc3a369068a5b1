import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildCtPackets, createNetns, run, skipKernelTests, type CtPackets, type Netns } from '@ctscope/testkit';
import { buildRule } from '../build';
import { assertRuleSpec } from '../spec/validate';
import { UDP_EXCHANGE_SCRIPT } from '../testing/udp-exchange';
import type { Backend } from './detect';
import { applyRule, listRules, removeRule, type RulesContext } from './rules';

const skip = skipKernelTests();
const BACKENDS: Backend[] = ['nft', 'iptables-nft', 'iptables-legacy'];
const INVALID_PACKETS = 25;

/** Sum of the `invalid` counter over CPUs, from the real conntrack CLI. */
async function invalidCount(ns: Netns): Promise<number> {
  const { stdout } = await ns.conntrack(['-S']);
  return [...stdout.matchAll(/\binvalid=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
}

/** Kernel log lines with our prefix (the kernel log is global: the prefix is unique to this run). */
async function loggedLines(prefix: string): Promise<number> {
  const { stdout } = await run('dmesg', []);
  return stdout.split('\n').filter((l) => l.includes(prefix.trim())).length;
}

let packets: CtPackets;
beforeAll(async () => {
  if (!skip) packets = await buildCtPackets();
});
afterAll(async () => {
  await packets?.remove();
});

describe.skipIf(skip).each(BACKENDS)('log-invalid rule on %s', (backend) => {
  let ns: Netns;
  afterEach(async () => {
    await ns?.destroy();
  });

  it('matches INVALID packets only (SYN+FIN), counts each, logs where the kernel lets a namespace log, and goes away cleanly', async () => {
    ns = await createNetns();
    const ctx: RulesContext = { runner: (cmd, args, input) => ns.exec(cmd, args, input), backend };
    const logPrefix = `ctinv-${randomBytes(4).toString('hex')}: `;
    const syntax = backend === 'nft' ? 'nft' : 'iptables';
    const built = buildRule(assertRuleSpec({ kind: 'log-invalid', chains: ['input'], family: 'ipv4', logPrefix, rate: { count: 100, per: 'second', burst: 50 } }), { syntax });
    expect((await applyRule(ctx, built)).changed).toBe(true);
    const ours = async () => (await listRules(ctx)).find((g) => g.id === built.id);

    // Valid traffic does not match.
    const { stdout } = await ns.exec(process.execPath, ['-e', UDP_EXCHANGE_SCRIPT, 'both', '127.0.0.1', '40100', '3']);
    expect(JSON.parse(stdout.trim())).toEqual({ replies: 3 });
    expect((await ours())?.packets).toBe(0n);

    const before = await invalidCount(ns);
    const sent = await packets.tcpFlags(ns, { src: '127.0.0.1', sport: 40200, dst: '127.0.0.1', dport: 9, count: INVALID_PACKETS, flags: 'SF' });
    expect(sent).toEqual({ sent: INVALID_PACKETS, failed: 0 });
    // Each SYN+FIN is INVALID, and so is the RST the stack answers it with (a RST for no connection);
    // on lo conntrack sees each packet twice (OUTPUT, then PREROUTING), the input chain once.
    expect(await invalidCount(ns)).toBe(before + 4 * INVALID_PACKETS);
    // nft counts before the limit, iptables what passed it: the burst of 50 lets all 50 through.
    expect((await ours())?.packets).toBe(BigInt(2 * INVALID_PACKETS));

    // The kernel only logs from a non-initial namespace when the host allows it (a host sysctl we never change).
    const allNetns = (await readFile('/proc/sys/net/netfilter/nf_log_all_netns', 'utf8')).trim() === '1';
    const logged = await loggedLines(logPrefix);
    if (allNetns) expect(logged).toBeGreaterThan(0);
    else expect(logged).toBe(0);

    expect(await removeRule(ctx, { id: built.id })).toBe(1);
    expect(await ours()).toBeUndefined();
  });
});
