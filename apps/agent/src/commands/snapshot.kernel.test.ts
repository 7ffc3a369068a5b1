import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SnapshotFlow } from '@ctscope/protocol';
import { readSnapshot } from '@ctscope/protocol/snapshot-file';
import { conntrackEntryKeys, createNetns, flowEntryKey, generateTraffic, skipKernelTests } from '@ctscope/testkit';
import { afterEach, describe, expect, it } from 'vitest';

const CTSCOPE = fileURLToPath(new URL('../../bin/ctscope.mjs', import.meta.url));
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});



async function readBack(file: string) {
  const flows: SnapshotFlow[] = [];
  const contents = await readSnapshot(createReadStream(file), (f) => flows.push(f));
  return { ...contents, keys: flows.map(flowEntryKey).sort() };
}

describe.skipIf(skipKernelTests())('ctscope snapshot against the real kernel', () => {
  it('writes exactly the entries conntrack -L lists (or the filtered part), with the host sections, and reads back', async () => {
    const ns = await createNetns();
    cleanups.push(() => ns.destroy());
    const dir = await mkdtemp(join(tmpdir(), 'ctscope-snapshot-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));

    await generateTraffic(ns, { tcp: 15, udp: 25, icmp: 4 });
    await ns.conntrack(['-I', '-s', '10.9.0.1', '-d', '10.9.0.2', '-p', 'tcp', '--sport', '1234', '--dport', '80', '--state', 'ESTABLISHED', '-u', 'SEEN_REPLY', '-t', '600', '-m', '7']);
    await ns.conntrack(['-I', '-s', '10.9.0.3', '-d', '10.9.0.4', '-p', 'udp', '--sport', '5353', '--dport', '53', '-t', '600']);
    await ns.conntrack(['-I', '-s', 'fd00::1', '-d', 'fd00::2', '-p', 'tcp', '--sport', '4000', '--dport', '80', '--state', 'SYN_SENT', '-t', '600']);

    const ctscope = (...args: string[]) => ns.exec(process.execPath, [CTSCOPE, 'snapshot', ...args]);
    const all = join(dir, 'all.ctsnap.gz');
    const before = await conntrackEntryKeys(ns);
    const run = await ctscope('-o', all);
    const after = await conntrackEntryKeys(ns);
    expect(after).toEqual(before); // nothing came or went meanwhile, so the file must hold exactly this
    expect(before.length).toBeGreaterThan(40);
    expect(run.stderr).toContain(`${before.length} flow entries written to ${all}`);
    expect(run.stderr).toContain('not in the snapshot: stats history: only a running agent has it');

    const back = await readBack(all);
    expect(back.keys).toEqual(before);
    expect(back.flows).toBe(before.length);
    expect(back.sections.meta).toMatchObject({ via: 'cli', filter: null, agentVersion: expect.stringMatching(/^\d+\.\d+\.\d+/) as unknown });
    expect(back.sections.meta.notes.join('\n')).toContain('stats history');
    const max = back.sections.sysctls.find((p) => p.name === 'net.netfilter.nf_conntrack_max');
    expect(max?.value).toBe(Number((await ns.exec('sysctl', ['-n', 'net.netfilter.nf_conntrack_max'])).stdout.trim()));
    expect(back.sections.stats.current?.count).toBe(before.length);
    expect(back.sections.ruleset_lines).toContainEqual({ source: 'nft', line: expect.stringContaining('ct state established,related accept') as unknown });
    expect(back.sections.rules?.backend).toBeTruthy();
    expect(Array.isArray(back.sections.kmsg)).toBe(true);
    expect((await stat(all)).mode & 0o777).toBe(0o600);

    // The same filter language as ctscope list: the query syntax, and conntrack's own flags.
    const web = join(dir, 'web.ctsnap.gz');
    await ctscope('--filter', 'tcp dport:80', '-o', web);
    const webBack = await readBack(web);
    const expected = await conntrackEntryKeys(ns, ['-p', 'tcp', '--dport', '80']);
    expect(expected.length).toBeGreaterThanOrEqual(2);
    expect(webBack.keys).toEqual(expected);
    expect(webBack.sections.meta.filter).toBe('tcp dport:80');

    const udp = join(dir, 'udp.ctsnap.gz');
    await ctscope('-p', 'udp', '-o', udp);
    expect((await readBack(udp)).keys).toEqual(await conntrackEntryKeys(ns, ['-p', 'udp']));
    const pasted = join(dir, 'pasted.ctsnap.gz');
    await ctscope('--filter', '-p udp --dport 53', '-o', pasted);
    const dns = await conntrackEntryKeys(ns, ['-p', 'udp', '--dport', '53']);
    expect(dns.length).toBeGreaterThanOrEqual(1);
    expect((await readBack(pasted)).keys).toEqual(dns);
  });

  it('refuses bad arguments with exit 2 and leaves no file behind', async () => {
    const ns = await createNetns();
    cleanups.push(() => ns.destroy());
    const dir = await mkdtemp(join(tmpdir(), 'ctscope-snapshot-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await expect(ns.exec(process.execPath, [CTSCOPE, 'snapshot'])).rejects.toThrow(/-o FILE is required/);
    const file = join(dir, 'x.gz');
    await expect(ns.exec(process.execPath, [CTSCOPE, 'snapshot', '--filter', 'dport:99999', '-o', file])).rejects.toThrow(/dport/);
    await expect(stat(file)).rejects.toThrow();
    await expect(stat(`${file}.tmp`)).rejects.toThrow();
  });
});
