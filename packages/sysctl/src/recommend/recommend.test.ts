import { afterEach, describe, expect, it } from 'vitest';
import { readCatalog } from '../catalog/discover';
import type { HostFacts } from '../catalog/types';
import { createFakeHost, type FakeHost } from '../testing/fake-host';
import { recommend, valuesOf } from './advice';
import { kubeProxyMax, recommendMax } from './max';
import { bytesPerEntry, chainLength, estimateMemory } from './memory';
import { proposeProfile } from './profiles';

const GIB = 1024 ** 3;
const facts = (memGiB: number, cpus: number): HostFacts => ({ memTotalBytes: memGiB * GIB, cpus, inInitialNetns: true });
const N = (k: string) => `net.netfilter.nf_conntrack_${k}`;

let host: FakeHost | undefined;
afterEach(async () => {
  await host?.cleanup();
  host = undefined;
});

describe('sizing', () => {
  it('follows kube-proxy: max(32768 × CPUs, 131072)', () => {
    expect(kubeProxyMax(2)).toBe(131072);
    expect(kubeProxyMax(4)).toBe(131072);
    expect(kubeProxyMax(8)).toBe(262144);
    expect(kubeProxyMax(64)).toBe(2097152);
  });

  it('proposes the largest power of two that fits 5 % of RAM, never below the kernel default', () => {
    const big = recommendMax(facts(24, 2));
    // 24 GiB × 5 % = 1.2 GiB; 2^21 entries × 328 bytes = 656 MiB fits, 2^22 does not.
    expect(big.ours).toMatchObject({ max: 2 ** 21, buckets: 2 ** 21 });
    expect(big.ours.reason).toMatch(/2,097,152 entries: a full table costs about 656 MiB \(2\.7 % of 24 GiB RAM\)/);
    expect(big.kubeProxy).toMatchObject({ max: 131072, buckets: 32768 });
    expect(big.kubeProxy.formula).toBe('max(32,768 × 2 CPUs, 131,072) = 131,072; hashsize raised to max / 4 (average chain 8)');
    expect(big.kernelDefault.max).toBe(262144);
    expect(recommendMax(facts(1, 1)).ours.max).toBe(131072);
    expect(recommendMax(facts(4096, 128)).ours.max).toBe(2 ** 24);
  });

  it('estimates memory at ~320 bytes per entry plus 8 per bucket', () => {
    expect(bytesPerEntry()).toBe(320);
    expect(bytesPerEntry({ acct: true, timestamp: true })).toBe(368);
    const m = estimateMemory({ max: 262144, buckets: 262144, count: 1000, memTotalBytes: 24 * GIB });
    expect(m.fullTableBytes).toBe(262144 * 328);
    expect(m.hashTableBytes).toBe(2 * 1024 * 1024);
    expect(m.currentBytes).toBe(1000 * 320 + 2 * 1024 * 1024);
    expect(m.percentOfRam).toBe(0.3);
    expect(m.summary).toBe('about 82 MiB when full (0.3 % of RAM), at ~320 bytes per entry; the hash table takes 2 MiB up front');
    expect(chainLength(262144, 262144)).toBe(2);
    expect(chainLength(262144, 65536)).toBe(8);
  });
});

describe('recommend', () => {
  it('gives reasons for max, established, close_wait, UDP and the flag trade-offs', () => {
    const values = { [N('max')]: 65536, [N('buckets')]: 4096, [N('tcp_timeout_established')]: 432000, [N('tcp_timeout_close_wait')]: 3600, [N('udp_timeout')]: 180, [N('udp_timeout_stream')]: 120, [N('tcp_loose')]: 1, [N('tcp_be_liberal')]: 0, [N('acct')]: 0, [N('timestamp')]: 0 };
    const recs = recommend({ values, facts: facts(24, 2), count: 60000 });
    const byId = new Map(recs.map((r) => [r.id, r]));
    expect([...byId.keys()]).toEqual(['max', 'max-usage', 'buckets', 'established', 'close-wait', 'udp', 'tcp-loose', 'tcp-be-liberal', 'acct-timestamp']);
    expect(byId.get('max')?.proposed).toEqual([{ name: N('max'), value: 2 ** 21 }, { name: N('buckets'), value: 2 ** 21 }]);
    expect(byId.get('max')?.reason).toMatch(/kube-proxy's formula would give max\(32,768 × 2 CPUs/);
    expect(byId.get('buckets')?.reason).toMatch(/average 32 entries per hash chain/);
    expect(byId.get('established')?.proposed).toEqual([{ name: N('tcp_timeout_established'), value: 3600 }]);
    expect(byId.get('established')?.reason).toMatch(/stay 5 days/);
    expect(byId.get('close-wait')).toMatchObject({ severity: 'warn', proposed: [{ name: N('tcp_timeout_close_wait'), value: 60 }] });
    expect(byId.get('udp')?.reason).toMatch(/1,800,000 entries/);
    expect(byId.get('acct-timestamp')?.tradeoff).toMatch(/32 \+ 16 bytes per entry/);
  });

  it('has nothing to change on a tuned host', () => {
    const values = { [N('max')]: 2 ** 21, [N('buckets')]: 2 ** 21, [N('tcp_timeout_established')]: 3600, [N('tcp_timeout_close_wait')]: 60, [N('udp_timeout')]: 30 };
    expect(recommend({ values, facts: facts(24, 2) }).filter((r) => r.proposed.length > 0)).toEqual([]);
  });
});

describe('profiles', () => {
  it('fill the form with values for this host without applying them', async () => {
    host = await createFakeHost({ netns: true });
    const catalog = await readCatalog({ paths: host.paths });
    const kube = proposeProfile('kubernetes-node', catalog);
    expect(kube.map((p) => [p.name, p.value])).toEqual([
      [N('max'), 131072],
      [N('buckets'), 32768],
      [N('tcp_timeout_established'), 86400],
      [N('tcp_timeout_close_wait'), 3600],
    ]);
    expect(kube[0]).toMatchObject({ current: 262144, changed: true, writable: false, readOnlyReason: expect.stringMatching(/global parameter/) });
    const web = proposeProfile('web-server', catalog);
    expect(web.find((p) => p.name === N('tcp_timeout_established'))).toMatchObject({ value: 3600, current: 432000, writable: true });
    expect(proposeProfile('nat-gateway', catalog).find((p) => p.name === N('max'))?.value).toBe(2 ** 22);
    expect(await host.read('nf_conntrack_tcp_timeout_established')).toBe('432000\n');
    expect(valuesOf(catalog)[N('max')]).toBe(262144);
  });
});
