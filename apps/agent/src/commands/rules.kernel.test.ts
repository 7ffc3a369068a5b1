import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNetns, skipKernelTests, type Netns } from '@ctscope/testkit';
import { afterEach, describe, expect, it } from 'vitest';

const CTSCOPE = fileURLToPath(new URL('../../bin/ctscope.mjs', import.meta.url));
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.skipIf(skipKernelTests())('ctscope rules from a terminal, real nftables in a namespace', () => {
  it('adds, lists, persists to a file that restores the rules once even when loaded twice, removes; audited as cli', async () => {
    const ns: Netns = await createNetns({ hooks: false });
    cleanups.push(() => ns.destroy());
    const dir = await mkdtemp(join(tmpdir(), 'ctscope-rules-cli-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const audit = join(dir, 'audit.jsonl');
    const ctscope = (...args: string[]) => ns.exec(process.execPath, [CTSCOPE, 'rules', ...args, '--audit-file', audit]);

    expect((await ctscope('add', 'notrack', 'protocol=udp', 'ports=53', 'role=both')).stdout).toMatch(/^applied: [0-9a-f]{12} \(4 kernel rules\)/);
    const id = /ctscope:([0-9a-f]{12})/.exec((await ns.exec('nft', ['list', 'table', 'inet', 'ctscope'])).stdout)?.[1];
    expect(id).toBeDefined();
    expect((await ctscope('add', 'notrack', 'protocol=udp', 'ports=53', 'role=both')).stdout).toMatch(/^already in place/);
    await expect(ctscope('add', 'notrack', 'protocol=udp', 'ports=53;reboot')).rejects.toThrow(/ports/);

    const file = join(dir, 'ctscope.nft');
    expect((await ctscope('persist', '--file', file)).stdout).toContain(`saved ${file}`);
    expect(await readFile(file, 'utf8')).toContain(`ctscope:${id}`);
    await ctscope('remove', '--all');
    await expect(ns.exec('nft', ['list', 'table', 'inet', 'ctscope'])).rejects.toThrow();

    await ns.exec('nft', ['-f', file]);
    await ns.exec('nft', ['-f', file]);
    const restored = (await ns.exec('nft', ['list', 'table', 'inet', 'ctscope'])).stdout;
    expect(restored.match(new RegExp(`ctscope:${id}`, 'g'))).toHaveLength(4);
    expect((await ctscope('list')).stdout).toContain(id);

    const lines = (await readFile(audit, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { action: string; result: string; actor: { via: string } });
    const done = lines.filter((l) => l.result !== 'pending');
    expect(done.map((l) => l.action)).toEqual(['rules.apply', 'rules.apply', 'rules.persist', 'rules.remove']);
    expect(done.every((l) => l.actor.via === 'cli')).toBe(true);
  });
});
