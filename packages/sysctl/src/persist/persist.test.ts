import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SysctlValidationError } from '../change/errors';
import { createFakeHost, type FakeHost } from '../testing/fake-host';
import { planPersist } from './plan';
import { writePersistPlan, PersistConflictError } from './write';

let host: FakeHost | undefined;
afterEach(async () => {
  await host?.cleanup();
  host = undefined;
});

const N = (k: string) => `net.netfilter.nf_conntrack_${k}`;

async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const st = await stat(path);
    out.set(relative(dir, path), `${st.mtimeMs} ${await readFile(path, 'utf8')}`);
  }
  return out;
}

describe('persist', () => {
  it('shows the diff, then writes 90-ctscope.conf and modules-load.d atomically, touching nothing else', async () => {
    host = await createFakeHost({ files: { 'etc/sysctl.d/10-user.conf': 'vm.swappiness = 10\n', 'etc/sysctl.conf': '# empty\n', 'etc/modules-load.d/modules.conf': 'loop\n' } });
    const before = await snapshot(host.paths.rootfs);
    const plan = await planPersist({ values: [{ name: N('tcp_timeout_established'), value: '1h' }, { name: N('max'), value: 524288 }] }, { paths: host.paths });
    expect(plan.sysctl.before).toBeNull();
    expect(plan.sysctl.diff).toContain('--- /dev/null');
    expect(plan.sysctl.diff).toContain(`+${N('tcp_timeout_established')} = 3600`);
    expect(plan.sysctl.after).toContain(`# 1 hour\n${N('tcp_timeout_established')} = 3600\n`);
    expect(plan.sysctl.after.indexOf(N('max'))).toBeLessThan(plan.sysctl.after.indexOf(N('tcp_timeout_established')));
    expect(plan.modules.after).toMatch(/^nf_conntrack$/m);
    expect(plan.warnings).toEqual([]);
    // Nothing is written by planning.
    expect(await snapshot(host.paths.rootfs)).toEqual(before);

    const result = await writePersistPlan(plan);
    expect(result.written.map((p) => relative(host!.paths.rootfs, p))).toEqual(['etc/sysctl.d/90-ctscope.conf', 'etc/modules-load.d/ctscope.conf']);
    expect(await host.readRoot('etc/sysctl.d/90-ctscope.conf')).toBe(plan.sysctl.after);
    expect(await host.readRoot('etc/modules-load.d/ctscope.conf')).toBe(plan.modules.after);
    expect((await stat(join(host.paths.etc, 'sysctl.d/90-ctscope.conf'))).mode & 0o777).toBe(0o644);
    const after = await snapshot(host.paths.rootfs);
    for (const [path, content] of before) expect(after.get(path), path).toBe(content);
    expect([...after.keys()].filter((p) => !before.has(p)).sort()).toEqual(['etc/modules-load.d/ctscope.conf', 'etc/sysctl.d/90-ctscope.conf']);

    const again = await planPersist({ values: [{ name: N('max'), value: 524288 }] }, { paths: host.paths });
    expect(again.sysctl).toMatchObject({ changed: false, diff: '' });
    expect(again.modules.changed).toBe(false);
  });

  it('merges with what is persisted, removes with null, or replaces', async () => {
    host = await createFakeHost({ files: { 'etc/sysctl.d/90-ctscope.conf': `${N('max')} = 524288\n${N('udp_timeout')} = 20\n` } });
    const merged = await planPersist({ values: [{ name: N('acct'), value: 'on' }, { name: N('udp_timeout'), value: null }] }, { paths: host.paths });
    expect(merged.settings).toEqual([{ name: N('max'), value: 524288 }, { name: N('acct'), value: 1 }]);
    expect(merged.sysctl.diff).toMatch(new RegExp(`^-${N('udp_timeout')} = 20$`, 'm'));
    const replaced = await planPersist({ values: [{ name: N('acct'), value: 1 }], mode: 'replace' }, { paths: host.paths });
    expect(replaced.settings).toEqual([{ name: N('acct'), value: 1 }]);
  });

  it('warns when a file applied later overrides a persisted value at boot', async () => {
    host = await createFakeHost({ files: { 'etc/sysctl.d/99-local.conf': `${N('max')} = 131072\n`, 'etc/sysctl.d/50-early.conf': `${N('acct')} = 0\n` } });
    const plan = await planPersist({ values: [{ name: N('max'), value: 524288 }, { name: N('acct'), value: 1 }] }, { paths: host.paths });
    expect(plan.warnings).toHaveLength(1);
    expect(plan.warnings[0]).toMatch(/nf_conntrack_max is also set in .*99-local\.conf:1, which is applied after 90-ctscope\.conf and wins at boot/);
  });

  it.each([
    [{ values: [{ name: N('tcp_timeout_established'), value: 0 }] }, 'values[0].value', /out of range/],
    [{ values: [{ name: N('max'), value: 'x' }] }, 'values[0].value', /not a valid value/],
    [{ values: [{ name: 'module.nf_conntrack.parameters.hashsize', value: 1024 }] }, 'values[0].name', /persist net\.netfilter\.nf_conntrack_buckets instead/],
    [{ values: [{ name: N('count'), value: 1 }] }, 'values[0].name', /cannot be set/],
    [{ values: [{ name: N('made_up'), value: 1 }] }, 'values[0].name', /not in ctscope's catalog/],
    [{ values: [{ name: '../../etc/shadow', value: 1 }] }, 'values[0].name', /not a conntrack parameter name/],
    [{ values: [], mode: 'overwrite' }, 'mode', /.+/],
  ])('rejects %j at %s and writes nothing', async (input, field, message) => {
    host = await createFakeHost();
    const before = await snapshot(host.paths.rootfs);
    const err = await planPersist(input, { paths: host.paths }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SysctlValidationError);
    const issues = (err as SysctlValidationError).issues;
    expect(issues.some((i) => i.field === field && message.test(i.message)), JSON.stringify(issues)).toBe(true);
    expect(await snapshot(host.paths.rootfs)).toEqual(before);
  });

  it('refuses to save over a file that changed after the diff was shown', async () => {
    host = await createFakeHost({ files: { 'etc/sysctl.d/90-ctscope.conf': `${N('max')} = 524288\n` } });
    const plan = await planPersist({ values: [{ name: N('acct'), value: 1 }] }, { paths: host.paths });
    await writeFile(join(host.paths.etc, 'sysctl.d/90-ctscope.conf'), `${N('max')} = 1048576\n`);
    await expect(writePersistPlan(plan)).rejects.toBeInstanceOf(PersistConflictError);
    expect(await host.readRoot('etc/sysctl.d/90-ctscope.conf')).toBe(`${N('max')} = 1048576\n`);
    expect((await readdir(join(host.paths.etc, 'sysctl.d'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
