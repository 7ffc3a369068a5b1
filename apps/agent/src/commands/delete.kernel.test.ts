// `ctscope delete` against the real kernel: it removes exactly what `conntrack -L` lists for the same
// filter, and nothing else, with a dry run that counts the same entries.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { conntrackEntryKeys, createNetns, skipKernelTests } from '@ctscope/testkit';
import { afterEach, describe, expect, it } from 'vitest';

const CTSCOPE = fileURLToPath(new URL('../../bin/ctscope.mjs', import.meta.url));
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.skipIf(skipKernelTests())('ctscope delete against the real kernel', () => {
  it('deletes exactly the entries conntrack -L lists for the filter, counts them in a dry run, and leaves the rest', async () => {
    const ns = await createNetns();
    cleanups.push(() => ns.destroy());
    // 40 DNS entries (20 marked 7) and 30 web entries, IPv4, plus two IPv6 DNS entries.
    const lines: string[] = [];
    for (let i = 0; i < 40; i++) lines.push(`-I -s 10.8.0.${i + 1} -d 10.8.1.1 -p udp --sport ${2000 + i} --dport 53 -t 600${i % 2 === 0 ? ' -m 7' : ''}`);
    for (let i = 0; i < 30; i++) lines.push(`-I -s 10.8.2.${i + 1} -d 10.8.1.2 -p tcp --sport ${3000 + i} --dport 443 --state ESTABLISHED -u SEEN_REPLY -t 600`);
    lines.push('-I -s fd00::1 -d fd00::53 -p udp --sport 4000 --dport 53 -t 600', '-I -s fd00::2 -d fd00::53 -p udp --sport 4001 --dport 53 -t 600');
    const dir = await mkdtemp(join(tmpdir(), 'ctscope-delete-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'entries'), `${lines.join('\n')}\n`);
    await ns.conntrack(['-R', join(dir, 'entries')]);
    const ctscope = (...args: string[]) => ns.exec(process.execPath, [CTSCOPE, 'delete', ...args]);

    const filter = ['-f', 'ipv4', '-p', 'udp', '--dport', '53', '-m', '7'];
    const before = await conntrackEntryKeys(ns);
    const matching = await conntrackEntryKeys(ns, filter);
    expect(matching).toHaveLength(20);

    const dry = await ctscope(...filter, '--dry-run');
    expect(dry.stdout.trim()).toBe('20');
    expect(await conntrackEntryKeys(ns)).toEqual(before);

    const run = await ctscope(...filter);
    expect(run.stderr).toContain('20 flow entries have been deleted');
    const gone = new Set(matching);
    expect(await conntrackEntryKeys(ns)).toEqual(before.filter((key) => !gone.has(key)));
    expect(await conntrackEntryKeys(ns, ['-p', 'udp', '--dport', '53'])).toHaveLength(22);

    // The dashboard's query syntax selects the same way.
    const web = await conntrackEntryKeys(ns, ['-p', 'tcp', '--dport', '443']);
    expect(web).toHaveLength(30);
    await ctscope('--query', 'tcp dport:443');
    expect(await conntrackEntryKeys(ns, ['-p', 'tcp'])).toEqual([]);
    expect(await conntrackEntryKeys(ns, ['-p', 'udp'])).toHaveLength(22);
  });
});
