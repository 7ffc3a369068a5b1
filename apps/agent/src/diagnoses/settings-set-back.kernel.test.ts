import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Diagnosis } from '@ctscope/protocol';
import { createNetns, run, skipKernelTests } from '@ctscope/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSettingsSetBackDetector } from './settings-set-back';

const skip = skipKernelTests();
const N = (k: string) => `net.netfilter.nf_conntrack_${k}`;
/** A harmless program that only waits, built as `kube-proxy` (GNU sleep would refuse kube-proxy's flags). */
const IDLE_C = '#include <unistd.h>\nint main(void) { for (;;) pause(); }\n';

let dir: string;
let binary: string;
const children: ChildProcess[] = [];

/** Runs the fake kube-proxy with `args`: a real process in the real /proc. */
async function startKubeProxy(args: string[]): Promise<number> {
  const child = spawn(binary, args, { stdio: 'ignore' });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  return child.pid as number;
}

const hostValue = async (key: string) => Number((await readFile(`/proc/sys/net/netfilter/nf_conntrack_${key}`, 'utf8')).trim());
const factsOf = (d: Diagnosis | undefined) => Object.fromEntries((d?.evidence.facts ?? []).map((f) => [f.label, f.value]));

beforeAll(async () => {
  if (skip) return;
  dir = await mkdtemp(join(tmpdir(), 'ctscope-kube-proxy-'));
  await writeFile(join(dir, 'idle.c'), IDLE_C);
  binary = join(dir, 'kube-proxy');
  await run('gcc', ['-O2', '-o', binary, join(dir, 'idle.c')]);
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(skip)('settings-set-back with a real (fake) kube-proxy process', () => {
  it('finds kube-proxy by its process and flags, then by its config file, and a sysctl file that wins over ours at boot', async () => {
    // Only reads this host's values; the sysctl files come from a temporary root.
    const max = await hostValue('max');
    const established = await hostValue('tcp_timeout_established');
    const root = join(dir, 'root');
    await mkdir(join(root, 'etc/sysctl.d'), { recursive: true });
    const detector = createSettingsSetBackDetector({ paths: { rootfs: root }, refreshMs: 0 });
    expect((await detector.evaluate(1)).filter((d) => d.id.startsWith('settings-set-back:kube-proxy:'))).toEqual([]);

    // 1. Flags: 1 per core, at least max + 4321: kube-proxy would set max + 4321.
    const floor = max + 4321;
    const flagsPid = await startKubeProxy(['--conntrack-max-per-core=1', `--conntrack-min=${floor}`, '--conntrack-tcp-timeout-established=0', '--conntrack-tcp-timeout-close-wait', '0', '--v=2']);
    const byFlags = (await detector.evaluate(2)).find((d) => d.id === `settings-set-back:kube-proxy:${flagsPid}`);
    expect(byFlags?.title).toMatch(/^kube-proxy will set back \d+ conntrack settings? when it restarts$/);
    const facts = factsOf(byFlags);
    expect(facts[N('max')]).toMatch(new RegExp(`^kube-proxy sets ${floor} \\(--conntrack-max-per-core=1: 1 × \\d+ CPUs = \\d+, below the floor ${floor} \\(--conntrack-min=${floor}\\)\\); now ${max}$`));
    expect(facts['kube-proxy']).toBe(`pid ${flagsPid}: ${binary} --conntrack-max-per-core=1 --conntrack-min=${floor} --conntrack-tcp-timeout-established=0 --conntrack-tcp-timeout-close-wait 0 --v=2`);
    expect(byFlags?.fixes[0]?.kind === 'advice' && byFlags.fixes[0].text).toContain(`Start kube-proxy (pid ${flagsPid}) with: --conntrack-max-per-core=0`);
    // kube-proxy also raises the hash size to max/4 when this host's is lower.
    const buckets = await hostValue('buckets');
    const raise = buckets < Math.floor(floor / 4) ? { [N('buckets')]: Math.floor(floor / 4) } : {};
    expect(byFlags?.fixes[1]).toEqual(expect.objectContaining({ kind: 'sysctl', changes: { [N('max')]: floor, ...raise } }));

    // The same kube-proxy in another network namespace writes that namespace's values, not ours: ignored.
    const ns = await createNetns({ hooks: false });
    try {
      const other = ns.spawn(binary, ['--conntrack-max-per-core=1', `--conntrack-min=${floor + 1}`]);
      await new Promise((resolve) => other.once('spawn', resolve));
      await expect.poll(async () => (await run('pgrep', ['-f', `conntrack-min=${floor + 1}`]).catch(() => ({ stdout: '' }))).stdout.trim() !== '').toBe(true);
      expect((await detector.evaluate(3)).filter((d) => d.id.startsWith('settings-set-back:kube-proxy:')).map((d) => d.id)).toEqual([`settings-set-back:kube-proxy:${flagsPid}`]);
    } finally {
      await ns.destroy();
    }

    // 2. A config file (read through /proc/<pid>/root): its values win over the flags given beside it.
    const config = join(dir, 'kube-proxy.yaml');
    await writeFile(config, `apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nconntrack:\n  maxPerCore: 0\n  tcpEstablishedTimeout: ${established + 60}s\n  tcpCloseWaitTimeout: 0s\n`);
    const filePid = await startKubeProxy([`--config=${config}`, '--conntrack-max-per-core=1']);
    const byFile = (await detector.evaluate(3)).find((d) => d.id === `settings-set-back:kube-proxy:${filePid}`);
    const fileFacts = factsOf(byFile);
    expect(Object.keys(fileFacts)).toEqual([N('tcp_timeout_established'), 'kube-proxy', 'config file']);
    expect(fileFacts[N('tcp_timeout_established')]).toBe(`kube-proxy sets ${established + 60} (${config}:5 (tcpEstablishedTimeout: ${established + 60}s)); now ${established}`);
    expect(byFile?.fixes[0]?.kind === 'advice' && byFile.fixes[0].text).toContain(`reads its settings from ${config}`);

    // 3. Someone else's sysctl file sorts after ours and sets another max: the next boot undoes ours.
    await writeFile(join(root, 'etc/sysctl.d/90-ctscope.conf'), `${N('max')} = ${max}\n`);
    await writeFile(join(root, 'etc/sysctl.d/99-other.conf'), `# theirs\n${N('max')} = ${max * 2}\n`);
    const files = (await detector.evaluate(4)).find((d) => d.id === 'settings-set-back:sysctl-files');
    expect(factsOf(files)[N('max')]).toBe(`ctscope persists ${max} (${root}/etc/sysctl.d/90-ctscope.conf:1), but ${root}/etc/sysctl.d/99-other.conf:2 sets ${max * 2} later at boot and wins; now ${max}`);

    // Gone with their processes.
    for (const child of children) child.kill('SIGKILL');
    await expect.poll(async () => (await detector.evaluate(5)).filter((d) => d.id.startsWith('settings-set-back:kube-proxy:')).length, { timeout: 5_000 }).toBe(0);
  });
});
