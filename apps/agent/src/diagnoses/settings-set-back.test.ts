import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { diagnosisSchema, type Diagnosis } from '@ctscope/protocol';
import { createFakeHost, type FakeHost } from '@ctscope/sysctl/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createSettingsSetBackDetector } from './settings-set-back';

const N = (k: string) => `net.netfilter.nf_conntrack_${k}`;

let host: FakeHost | undefined;
afterEach(async () => {
  await host?.cleanup();
  host = undefined;
});

/** A process entry in the fake host's procfs: comm, cmdline, and files under its root. */
async function fakeProcess(h: FakeHost, pid: number, comm: string, argv: string[], files: Record<string, string> = {}): Promise<void> {
  const dir = join(h.paths.procfs, String(pid));
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'comm'), `${comm}\n`);
  await writeFile(join(dir, 'cmdline'), `${argv.join('\0')}\0`);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(dir, 'root', path, '..'), { recursive: true });
    await writeFile(join(dir, 'root', path), text);
  }
}

const factsOf = (d: Diagnosis | undefined) => Object.fromEntries((d?.evidence.facts ?? []).map((f) => [f.label, f.value]));

describe('settings-set-back detector', () => {
  it('kube-proxy with --conntrack-max-per-core: names the flag, what it will set, the value now and the one ctscope persisted', async () => {
    host = await createFakeHost({
      cpuOnline: '0-3',
      values: { nf_conntrack_max: 262144, nf_conntrack_buckets: 65536, nf_conntrack_tcp_timeout_established: 86400, nf_conntrack_tcp_timeout_close_wait: 3600 },
      files: { 'etc/sysctl.d/90-ctscope.conf': `${N('max')} = 524288\n` },
    });
    await fakeProcess(host, 4242, 'kube-proxy', ['/usr/local/bin/kube-proxy', '--conntrack-max-per-core=8192', '--conntrack-min', '20000', '--v=2']);
    await fakeProcess(host, 4300, 'sleep', ['sleep', '--conntrack-max-per-core=1']);
    const found = await createSettingsSetBackDetector({ paths: host.paths }).evaluate(1_000);
    expect(found).toHaveLength(1);
    const d = diagnosisSchema.parse(found[0]);
    expect(d).toMatchObject({ name: 'settings-set-back', id: 'settings-set-back:kube-proxy:4242', severity: 'warning', since: 1_000, title: 'kube-proxy will set back 1 conntrack setting when it restarts' });
    const facts = factsOf(d);
    // 8192 × 4 CPUs = 32768 < 20000? no: 32768 > 20000, so max = 32768; buckets 65536 ≥ 32768/4: left alone.
    expect(facts[N('max')]).toBe(`kube-proxy sets 32768 (--conntrack-max-per-core=8192: 8192 × 4 CPUs = 32768); now 262144; ctscope persists 524288 (${host.paths.etc}/sysctl.d/90-ctscope.conf:1)`);
    expect(facts[N('buckets')]).toBeUndefined();
    expect(facts[N('tcp_timeout_established')]).toBeUndefined();
    expect(facts['kube-proxy']).toBe('pid 4242: /usr/local/bin/kube-proxy --conntrack-max-per-core=8192 --conntrack-min 20000 --v=2');
    expect(d.fixes[0]).toMatchObject({ kind: 'advice', label: "Change kube-proxy's flags" });
    expect(d.fixes[0]?.kind === 'advice' && d.fixes[0].text).toMatch(/^Start kube-proxy \(pid 4242\) with: --conntrack-max-per-core=0\n/);
    expect(d.fixes[1]).toMatchObject({ kind: 'sysctl', changes: { [N('max')]: 32768 } });
  });

  it('kube-proxy with a --config file (read through its own root): names the file and line, advises the YAML', async () => {
    host = await createFakeHost({ values: { nf_conntrack_max: 131072, nf_conntrack_buckets: 8192, nf_conntrack_tcp_timeout_established: 432000, nf_conntrack_tcp_timeout_close_wait: 3600 } });
    const config = 'kind: KubeProxyConfiguration\nconntrack:\n  maxPerCore: 0\n  tcpEstablishedTimeout: 24h0m0s\n  tcpCloseWaitTimeout: 1h0m0s\n';
    await fakeProcess(host, 77, 'kube-proxy', ['kube-proxy', '--config=/var/lib/kube-proxy/config.conf', '--conntrack-max-per-core=99999'], { 'var/lib/kube-proxy/config.conf': config });
    const [d] = await createSettingsSetBackDetector({ paths: host.paths }).evaluate(5);
    const facts = factsOf(d);
    expect(Object.keys(facts)).toEqual([N('tcp_timeout_established'), 'kube-proxy', 'config file']);
    expect(facts[N('tcp_timeout_established')]).toBe('kube-proxy sets 86400 (/var/lib/kube-proxy/config.conf:4 (tcpEstablishedTimeout: 24h0m0s)); now 432000');
    const advice = d?.fixes[0];
    expect(advice?.kind === 'advice' && advice.text).toMatch(/reads its settings from \/var\/lib\/kube-proxy\/config.conf .*\nconntrack:\n {2}tcpEstablishedTimeout: 120h0m0s\n/s);
    expect(d?.fixes[1]).toMatchObject({ kind: 'sysctl', changes: { [N('tcp_timeout_established')]: 86400 } });
  });

  it('quiet when kube-proxy would write what is in force and persisted; quiet without kube-proxy', async () => {
    host = await createFakeHost({ values: { nf_conntrack_max: 131072, nf_conntrack_buckets: 262144, nf_conntrack_tcp_timeout_established: 86400, nf_conntrack_tcp_timeout_close_wait: 3600 } });
    const detector = createSettingsSetBackDetector({ paths: host.paths, refreshMs: 0 });
    expect(await detector.evaluate(1)).toEqual([]);
    await fakeProcess(host, 10, 'kube-proxy', ['kube-proxy']);
    expect(await detector.evaluate(2)).toEqual([]);
  });

  it("a sysctl.d file read after ctscope's sets another value: names the file and line; same value or no ctscope line is fine", async () => {
    host = await createFakeHost({
      files: {
        'etc/sysctl.d/90-ctscope.conf': `${N('max')} = 524288\n${N('udp_timeout')} = 60\n${N('tcp_timeout_close_wait')} = 120\n`,
        'etc/sysctl.d/99-tuning.conf': `# ours\n${N('max')} = 131072\n${N('tcp_timeout_close_wait')} = 120\n`,
        'usr/lib/sysctl.d/95-vendor.conf': `${N('udp_timeout')} = 15\n${N('generic_timeout')} = 100\n`,
        'etc/sysctl.d/10-early.conf': `${N('tcp_timeout_time_wait')} = 30\n`,
      },
    });
    const detector = createSettingsSetBackDetector({ paths: host.paths, refreshMs: 0 });
    const [d] = await detector.evaluate(100);
    expect(diagnosisSchema.parse(d)).toMatchObject({ id: 'settings-set-back:sysctl-files', since: 100 });
    const facts = factsOf(d);
    expect(facts[N('max')]).toBe(`ctscope persists 524288 (${host.paths.etc}/sysctl.d/90-ctscope.conf:1), but ${host.paths.etc}/sysctl.d/99-tuning.conf:2 sets 131072 later at boot and wins; now 262144`);
    expect(facts[N('udp_timeout')]).toMatch(/95-vendor\.conf:1 sets 15 later at boot/);
    expect(facts[N('tcp_timeout_close_wait')]).toBeUndefined();
    expect(d?.fixes.map((f) => f.label)).toEqual([`Edit ${host.paths.etc}/sysctl.d/99-tuning.conf`, `Edit ${host.paths.rootfs}/usr/lib/sysctl.d/95-vendor.conf`]);
    expect(d?.fixes[0]?.kind === 'advice' && d.fixes[0].text).toContain(`Line 2: remove "${N('max')} = 131072", or change it to "${N('max')} = 524288".`);
    // Stable while it lasts.
    expect((await detector.evaluate(200))[0]?.since).toBe(100);
  });
});
