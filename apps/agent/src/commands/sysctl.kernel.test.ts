import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNetns, skipKernelTests, startTraffic, type Netns } from '@ctscope/testkit';
import { afterEach, describe, expect, it } from 'vitest';

const CTSCOPE = fileURLToPath(new URL('../../bin/ctscope.mjs', import.meta.url));
const EST = 'net.netfilter.nf_conntrack_tcp_timeout_established';
const UDP = 'net.netfilter.nf_conntrack_udp_timeout';
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real CLI inside the namespace (ip netns exec), with its exit code. */
function cli(ns: Netns | null, args: readonly string[]): Promise<Run> {
  const [cmd, ...argv] = [...(ns ? ['ip', 'netns', 'exec', ns.name] : []), process.execPath, CTSCOPE, 'sysctl', ...args] as [string, ...string[]];
  return new Promise((resolve) => {
    execFile(cmd, argv, { encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(skipKernelTests())('ctscope sysctl from a terminal, inside a throwaway network namespace', () => {
  it('reads, refuses a global parameter, previews and frees exactly the idle entries, rolls back twice, persists into a temporary rootfs; every change audited first', async () => {
    const ns = await createNetns();
    cleanups.push(() => ns.destroy());
    const dir = await mkdtemp(join(tmpdir(), 'ctscope-sysctl-cli-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const rootfs = join(dir, 'root');
    await mkdir(join(rootfs, 'etc', 'sysctl.d'), { recursive: true });
    const audit = join(dir, 'audit.jsonl');
    const ctscope = (...args: string[]) => cli(ns, [...args, ...(args[0] === 'get' ? [] : ['--audit-file', audit]), '--path.rootfs', rootfs]);
    const kernel = async (name: string) => Number((await ns.exec('sysctl', ['-n', name])).stdout.trim());
    const hostMax = async () => (await readFile('/proc/sys/net/netfilter/nf_conntrack_max', 'utf8')).trim();

    const got = await ctscope('get', 'tcp_timeout_established', 'max', '--json');
    expect(got.code).toBe(0);
    const params = (JSON.parse(got.stdout) as { params: Array<{ name: string; value: number; scope: string; writable: boolean; readOnlyReason?: string }> }).params;
    expect(params.find((p) => p.name === EST)).toMatchObject({ value: 432000, scope: 'netns', writable: true });
    expect(params.find((p) => p.name === 'net.netfilter.nf_conntrack_max')).toMatchObject({ scope: 'global', writable: false });
    expect((await ctscope('get', 'tcp_timeout_established')).stdout).toContain(`${EST} = 5 days (432000)`);

    // A global parameter is read-only in a namespace: exit 2, the reason, nothing written or recorded.
    const before = await hostMax();
    const refused = await ctscope('set', 'max=1048576');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/nf_conntrack_max is read-only here: global parameter/);
    expect(await hostMax()).toBe(before);
    expect(await readFile(audit, 'utf8')).toBe('');

    // Three connections held open and idle; with a 2 s timeout the what-if counts exactly them.
    const traffic = startTraffic(ns, { hold: 3 });
    cleanups.push(async () => void traffic.kill('SIGKILL'));
    const established = async () => (await ns.conntrack(['-L', '-p', 'tcp', '--state', 'ESTABLISHED'])).stdout.split('\n').filter(Boolean).length;
    await expect.poll(established, { timeout: 10_000 }).toBe(3);
    await sleep(3_500);
    const preview = await ctscope('set', 'tcp_timeout_established=2s', '--dry-run');
    expect(preview.code).toBe(0);
    expect(preview.stdout).toContain(`${EST}: 5 days → 2 seconds`);
    const idle = Number(/(\d+) entries \([\d.]+ %\) have been idle longer than 2 s; they will NOT expire sooner by themselves/.exec(preview.stdout)?.[1]);
    expect(idle).toBe(3);
    expect(await kernel(EST)).toBe(432000);

    const freed = await ctscope('set', 'tcp_timeout_established=2s', '--free-idle');
    expect(freed.code).toBe(0);
    expect(freed.stdout).toContain(`freed ${idle} idle entries`);
    expect(await established()).toBe(0);
    expect(await kernel(EST)).toBe(2);

    const set = await ctscope('set', 'tcp_timeout_established=1h', 'udp_timeout=45');
    expect(set.stdout).toContain(`${EST}: 2 seconds (2) → 1 hour (3600) (read back)`);
    expect([await kernel(EST), await kernel(UDP)]).toEqual([3600, 45]);

    // Rollback walks back one change at a time, from the audit log.
    const first = await ctscope('rollback');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/rolling back the change of .* by \S+ \(via cli\)/);
    expect([await kernel(EST), await kernel(UDP)]).toEqual([2, 30]);
    await ctscope('rollback');
    expect(await kernel(EST)).toBe(432000);

    // Persist: asks first (no terminal here: refuses without --yes), then writes both files.
    await ctscope('set', 'tcp_timeout_established=1h');
    const unconfirmed = await ctscope('persist');
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stdout).toContain(`+${EST} = 3600`);
    await expect(readFile(join(rootfs, 'etc/sysctl.d/90-ctscope.conf'), 'utf8')).rejects.toThrow();
    expect((await ctscope('persist', '--yes')).stdout).toContain(`saved ${join(rootfs, 'etc/sysctl.d/90-ctscope.conf')}`);
    expect(await readFile(join(rootfs, 'etc/sysctl.d/90-ctscope.conf'), 'utf8')).toMatch(new RegExp(`^${EST.replace(/\./g, '\\.')} = 3600$`, 'm'));
    expect(await readFile(join(rootfs, 'etc/modules-load.d/ctscope.conf'), 'utf8')).toMatch(/^nf_conntrack$/m);
    expect((await ctscope('get', 'tcp_timeout_established')).stdout).toContain(`runtime matches ${join(rootfs, 'etc/sysctl.d/90-ctscope.conf')}`);

    // Every change: a pending line before it was made, then its outcome, all from the terminal.
    const lines = (await readFile(audit, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { id: string; action: string; result: string; actor: { via: string }; details?: { freeIdle?: number; rollbackOf?: string } });
    const done = lines.filter((l) => l.result !== 'pending');
    expect(done.map((l) => `${l.action} ${l.result}${l.details?.rollbackOf ? ' rollback' : ''}`)).toEqual([
      'sysctl.set ok',
      'sysctl.set ok',
      'sysctl.set ok rollback',
      'sysctl.set ok rollback',
      'sysctl.set ok',
      'sysctl.persist ok',
    ]);
    expect(done[0]?.details?.freeIdle).toBe(idle);
    expect(done[2]?.details?.rollbackOf).toBe(done[1]?.id);
    expect(done[3]?.details?.rollbackOf).toBe(done[0]?.id);
    for (const record of done) expect(lines.findIndex((l) => l.id === record.id && l.result === 'pending')).toBeLessThan(lines.indexOf(record));
    expect(lines.every((l) => l.actor.via === 'cli')).toBe(true);
  }, 180_000);

  // Global parameters exist once per kernel: changing them touches the whole machine, so only on CI
  // (a throwaway VM), and the original values are written back in `finally` even if the test fails.
  it.skipIf(process.env.CI !== 'true')('changes the global nf_conntrack_max and buckets on the host, reads them back, rolls back (only with CI=true: it changes the host itself)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ctscope-sysctl-global-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const audit = join(dir, 'audit.jsonl');
    const file = (key: string) => `/proc/sys/net/netfilter/${key}`;
    const read = async (key: string) => Number((await readFile(file(key), 'utf8')).trim());
    const hashsize = async () => Number((await readFile('/sys/module/nf_conntrack/parameters/hashsize', 'utf8')).trim());
    const original = { max: await read('nf_conntrack_max'), buckets: await read('nf_conntrack_buckets') };
    const proposed = { max: original.max + 65_536, buckets: original.buckets === 65_536 ? 131_072 : 65_536 };
    try {
      const set = await cli(null, ['set', `max=${proposed.max}`, `buckets=${proposed.buckets}`, '--audit-file', audit]);
      expect(set.stderr).toBe('');
      expect(set.code).toBe(0);
      expect(await read('nf_conntrack_max')).toBe(proposed.max);
      expect(await read('nf_conntrack_buckets')).toBe(proposed.buckets);
      expect(await hashsize()).toBe(proposed.buckets);
      expect(set.stdout).toContain(`net.netfilter.nf_conntrack_buckets: ${original.buckets.toLocaleString('en-US')} buckets (${original.buckets}) → ${proposed.buckets.toLocaleString('en-US')} buckets (${proposed.buckets}) (read back)`);

      expect((await cli(null, ['rollback', '--audit-file', audit])).code).toBe(0);
      expect(await read('nf_conntrack_max')).toBe(original.max);
      expect(await read('nf_conntrack_buckets')).toBe(original.buckets);
    } finally {
      if ((await read('nf_conntrack_buckets')) !== original.buckets) await writeFile(file('nf_conntrack_buckets'), `${original.buckets}\n`);
      if ((await read('nf_conntrack_max')) !== original.max) await writeFile(file('nf_conntrack_max'), `${original.max}\n`);
    }
    expect({ max: await read('nf_conntrack_max'), buckets: await read('nf_conntrack_buckets') }).toEqual(original);
  }, 60_000);
});
