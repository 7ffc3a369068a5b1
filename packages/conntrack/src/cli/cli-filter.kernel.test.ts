import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetns, generateTraffic, skipKernelTests, type Netns } from '@ctscope/testkit';
import type { Flow } from '../flow';
import { printConntrackArgs } from '../filter/cli-args';
import { compileFilter } from '../filter/compile';
import { parseQuery } from '../filter/query';
import { cliShaped, prng, randomFilter } from '../filter/test-random';
import { FilterNotExpressibleError } from '../filter/types';
import { startScenario } from '../text/fixtures/scenario';
import { parseConntrackText } from '../text/parse-line';

/**
 * For each filter, matchFlow over a full dump must select the same entries as
 * `conntrack -L <printConntrackArgs(filter)>` on the same table.
 */
const QUERIES = [
  'tcp',
  'udp',
  'icmp',
  'icmpv6',
  'ipv4',
  'ipv6',
  'ipv6 tcp',
  'tcp dport:7000',
  'tcp sport:7000',
  'udp dport:7001',
  'udp reply-sport:7003',
  'tcp reply-dport:7000',
  'tcp state:time_wait',
  'tcp state:established',
  'tcp state:syn_sent',
  'src:127.0.0.0/8',
  'src:127.0.0.1',
  'dst:127.0.0.2',
  'dst:::1',
  'src:::/0',
  'src:fe80::/10',
  'reply-src:127.0.0.2',
  'reply-dst:127.0.0.3',
  'assured',
  'seen_reply',
  'unreplied',
  '!assured',
  'unreplied !assured',
  'mark:16',
  'mark:0',
  'mark:0x10/0xf0',
  'mark:0x0/0x10',
  'zone:3',
  'zone:0',
  'snat',
  'dnat',
  'nat',
  'snat dnat',
  'ipv4 udp src:127.0.0.0/8 dport:7200 unreplied mark:0 snat',
];

/** conntrack's NAT check reads ICMP type/code/id as ports, so it calls every ICMP entry NATed once a nat table exists. */
const NAT_QUIRK_EXCLUDED = (query: string, flow: Flow) => /\b(s|d)?nat\b/.test(query) && (flow.proto === 'icmp' || flow.proto === 'icmpv6');

describe.skipIf(skipKernelTests())('filters select what conntrack -L selects', () => {
  let ns: Netns;
  let traffic: ChildProcess;
  let table: Flow[];

  beforeAll(async () => {
    ns = await createNetns();
    try {
      traffic = await startScenario(ns);
      await generateTraffic(ns, { tcp: 2, udp: 2, icmp: 1, ipv6: true });
      table = parseConntrackText((await ns.conntrack(['-L', '-o', 'extended,id'])).stdout);
    } catch (err) {
      await ns.destroy();
      throw err;
    }
  });

  afterAll(async () => {
    traffic?.kill('SIGKILL');
    await ns?.destroy();
  });

  it.each(QUERIES)('%s', async (query) => {
    const filter = parseQuery(query);
    const args = printConntrackArgs(filter);
    const cli = parseConntrackText((await ns.conntrack(['-L', '-o', 'extended,id', ...args])).stdout);
    const after = new Set(parseConntrackText((await ns.conntrack(['-L', '-o', 'extended,id'])).stdout).map((f) => f.id));
    // Only entries present before and after the CLI call count (nothing should expire, but be exact).
    const stable = (f: Flow) => after.has(f.id) && table.some((t) => t.id === f.id) && !NAT_QUIRK_EXCLUDED(query, f);
    const matches = compileFilter(filter);
    const ours = table.filter((f) => stable(f) && matches(f)).map((f) => f.id).sort();
    const theirs = cli.filter(stable).map((f) => f.id).sort();
    expect(ours).toEqual(theirs);
  });

  it('the installed conntrack accepts every argument list printConntrackArgs prints (150 random filters)', async () => {
    const rand = prng(2026);
    let checked = 0;
    for (let i = 0; i < 200 && checked < 150; i++) {
      let args: string[];
      try {
        args = printConntrackArgs(cliShaped(randomFilter(rand)));
      } catch (err) {
        expect(err).toBeInstanceOf(FilterNotExpressibleError);
        continue;
      }
      const result = await ns.conntrack(['-L', ...args]).then(
        () => 'ok',
        (err: Error) => err.message,
      );
      expect(result, args.join(' ')).toBe('ok');
      checked++;
    }
    expect(checked).toBe(150);
  });

  it('the table is varied enough for these filters to mean something', () => {
    const counts = QUERIES.map((q) => table.filter(compileFilter(parseQuery(q))).length);
    expect(counts.filter((n) => n > 0).length).toBeGreaterThan(QUERIES.length * 0.7);
    expect(counts.filter((n) => n < table.length).length).toBeGreaterThan(QUERIES.length * 0.8);
  });
});
