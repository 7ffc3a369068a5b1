import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNetns, skipKernelTests, type Netns } from '@ctscope/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { processAlive } from '../confirm/claims';

const CTSCOPE = fileURLToPath(new URL('../../bin/ctscope.mjs', import.meta.url));
const UDP = 'nf_conntrack_udp_timeout';
const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(ns: Netns, args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile('ip', ['netns', 'exec', ns.name, process.execPath, CTSCOPE, ...args], { encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

interface Line {
  id: string;
  action: string;
  result: string;
  actor: { user: string };
  details?: { changeId?: string; reason?: string };
}
const records = async (file: string) =>
  (await readFile(file, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);

/** The change id and reverter pid a `--confirm-within` command printed; the reverter is killed after the test if still there. */
function pendingOf(run: Run): { changeId: string; pid: number } {
  const changeId = /ctscope confirm (\S+)"/.exec(run.stdout)?.[1];
  const pid = Number(/process (\d+) waits/.exec(run.stdout)?.[1]);
  if (!changeId || !pid) throw new Error(`no pending change in: ${run.stdout}${run.stderr}`);
  cleanups.push(() => {
    if (processAlive(pid)) process.kill(pid, 'SIGKILL');
  });
  return { changeId, pid };
}

async function setup() {
  const ns = await createNetns();
  cleanups.push(() => ns.destroy());
  const dir = await mkdtemp(join(tmpdir(), 'ctscope-confirm-cli-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return { ns, audit: join(dir, 'audit.jsonl') };
}

describe.skipIf(skipKernelTests())('ctscope --confirm-within with no agent running, inside a throwaway network namespace', () => {
  it('sysctl set: the process left behind reverts at the deadline; a confirmed change stays; confirming too late is refused', async () => {
    const { ns, audit } = await setup();
    const value = async () => Number((await ns.exec('cat', [`/proc/sys/net/netfilter/${UDP}`])).stdout.trim());
    const original = await value();
    expect(original).not.toBe(7);

    const bad = await cli(ns, ['sysctl', 'set', `${UDP}=7`, '--confirm-within', '2s', '--audit-file', audit]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/at least 5 s/);

    const set = await cli(ns, ['sysctl', 'set', `${UDP}=7`, '--confirm-within', '5s', '--audit-file', audit]);
    expect(set.code, set.stderr).toBe(0);
    const { changeId, pid } = pendingOf(set);
    expect(await value()).toBe(7);
    const listed = await cli(ns, ['confirm', '--audit-file', audit]);
    expect(listed.stdout).toMatch(new RegExp(`${changeId}\\s+sysctl\\s+nf_conntrack_udp_timeout ${original} → 7`));

    await expect.poll(value, { timeout: 15_000, interval: 250 }).toBe(original);
    await expect.poll(() => processAlive(pid), { timeout: 5_000 }).toBe(false);
    const reverts = (await records(audit)).filter((r) => r.action === 'changes.revert' && r.result === 'ok');
    expect(reverts).toHaveLength(1);
    expect(reverts[0]).toMatchObject({ actor: { user: 'ctscope-agent' }, details: { changeId, reason: 'not confirmed within 5 s' } });
    const late = await cli(ns, ['confirm', changeId, '--audit-file', audit]);
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(/too late: reverted: not confirmed within 5 s/);

    const kept = await cli(ns, ['sysctl', 'set', `${UDP}=9`, '--confirm-within', '5s', '--audit-file', audit]);
    const second = pendingOf(kept);
    const confirmed = await cli(ns, ['confirm', second.changeId, '--audit-file', audit]);
    expect(confirmed.code, confirmed.stderr).toBe(0);
    expect(confirmed.stdout).toMatch(/confirmed: nf_conntrack_udp_timeout \d+ → 9 stays/);
    await expect.poll(() => processAlive(second.pid), { timeout: 5_000 }).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(await value()).toBe(9);
    expect((await records(audit)).filter((r) => r.action === 'changes.revert')).toHaveLength(2); // begin + end of the first only
  });

  it('rules add: the rule is removed at the deadline unless confirmed; "revert now" removes it at once', async () => {
    const { ns, audit } = await setup();
    const ruleset = async () => (await ns.exec('nft', ['list', 'ruleset'])).stdout;
    const added = await cli(ns, ['rules', 'add', 'notrack', 'protocol=udp', 'ports=5353', 'role=server', '--confirm-within', '5s', '--audit-file', audit]);
    expect(added.code, added.stderr).toBe(0);
    pendingOf(added);
    expect(await ruleset()).toMatch(/udp dport 5353 .*notrack/);
    await expect.poll(ruleset, { timeout: 15_000, interval: 250 }).not.toMatch(/dport 5353/);
    const revert = (await records(audit)).find((r) => r.action === 'changes.revert' && r.result === 'ok');
    expect(revert?.details?.reason).toBe('not confirmed within 5 s');
    expect((await cli(ns, ['confirm', '--audit-file', audit])).stdout).toMatch(/removed: not confirmed within 5 s/);

    const again = await cli(ns, ['rules', 'add', 'notrack', 'protocol=udp', 'ports=5454', 'role=server', '--confirm-within', '1m', '--audit-file', audit]);
    const { changeId, pid } = pendingOf(again);
    expect(await ruleset()).toMatch(/dport 5454/);
    const now = await cli(ns, ['confirm', '--revert', changeId, '--audit-file', audit]);
    expect(now.code, now.stderr).toBe(0);
    expect(now.stdout).toMatch(/removed: reverted before its deadline by/);
    expect(await ruleset()).not.toMatch(/dport 5454/);
    await expect.poll(() => processAlive(pid), { timeout: 5_000 }).toBe(false);
  });
});
