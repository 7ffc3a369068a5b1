import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createNetns, skipKernelTests, type Netns } from '@ctscope/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScenario } from '../text/fixtures/scenario';

const TSX = fileURLToPath(new URL('../../../../node_modules/.bin/tsx', import.meta.url));
const PROBE = fileURLToPath(new URL('./testing/probe.ts', import.meta.url));

/** Lines as written from the dump's bytes inside the namespace. */
async function ourLines(ns: Netns, extended: boolean, id: boolean): Promise<string[]> {
  const { stdout } = await ns.exec(TSX, [PROBE, 'lines', JSON.stringify({ extended, id })]);
  return (JSON.parse(stdout.trim().split('\n').pop() ?? '""') as string).split('\n').filter(Boolean);
}

// Between two reads the timeout column ticks, delta-time grows (timestamps on), and `use` (the
// kernel's reference count) can be 2 for a moment while a retransmitted SYN is being handled.
const stable = (line: string) =>
  line
    .replace(/^((?:ipv[46]\s+\d+\s+)?\S+\s+\d+\s+)\d+ /, '$1T ')
    .replace(/delta-time=\d+ /, '')
    .replace(/ use=\d+/, ' use=N');
const sorted = (lines: string[]) => lines.map(stable).sort();

const FORMATS: Array<[string[], boolean, boolean]> = [
  [['-o', 'extended'], true, false],
  [['-o', 'extended,id'], true, true],
  [[], false, false],
  [['-o', 'id'], false, true],
];

describe.skipIf(skipKernelTests())('conntrack lines written straight from ctnetlink bytes, against the real kernel', () => {
  describe.each([
    ['default accounting', false],
    ['counters and timestamps on', true],
  ])('%s', (_name, acct) => {
    let ns: Netns;
    let traffic: ChildProcess;
    beforeAll(async () => {
      ns = await createNetns();
      if (acct) {
        await ns.sysctl('net.netfilter.nf_conntrack_acct', 1);
        await ns.sysctl('net.netfilter.nf_conntrack_timestamp', 1);
      }
      traffic = await startScenario(ns);
    });
    afterAll(async () => {
      traffic?.kill('SIGKILL');
      await ns?.destroy();
    });

    it.each(FORMATS)('prints what conntrack -L %j prints', async (args, extended, id) => {
      const ours = await ourLines(ns, extended, id);
      const cli = (await ns.conntrack(['-L', ...args])).stdout.split('\n').filter(Boolean);
      expect(ours.length).toBeGreaterThanOrEqual(12);
      expect(sorted(ours)).toEqual(sorted(cli));
      // tcp, udp, icmp and icmpv6 over both families, NAT, a mark and a zone are in the scenario.
      const text = ours.join('\n');
      for (const part of ['tcp ', 'udp ', 'icmp ', 'icmpv6 ', 'mark=16', 'zone=3', '[UNREPLIED]', '[ASSURED]', 'sport=7101']) expect(text).toContain(part);
      if (acct) expect(text).toContain('packets=');
    });
  });
});
