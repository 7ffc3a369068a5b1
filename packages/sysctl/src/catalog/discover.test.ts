import { readdir } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeHost, type FakeHost } from '../testing/fake-host';
import { findEntry, readCatalog } from './discover';
import { countCpuList, parseMemTotal } from './host-facts';
import { KNOWN_PARAMS } from './known';
import { kernelDefaultBuckets } from './limits';

let host: FakeHost | undefined;
afterEach(async () => {
  await host?.cleanup();
  host = undefined;
});

const GIB = 1024 ** 3;

describe('readCatalog', () => {
  it('describes every parameter of a 6.18 host with units, defaults, ranges and scope', async () => {
    host = await createFakeHost();
    const catalog = await readCatalog({ paths: host.paths });
    expect(catalog.moduleLoaded).toBe(true);
    expect(catalog.facts).toEqual({ memTotalBytes: 24683620 * 1024, cpus: 2, inInitialNetns: true });
    expect(catalog.entries.every((e) => e.known)).toBe(true);
    expect(catalog.entries.map((e) => e.name)).toContain('net.netfilter.nf_conntrack_tcp_timeout_established');
    expect(catalog.entries.some((e) => e.name.includes('nf_log'))).toBe(false);
    const est = findEntry(catalog, 'net.netfilter.nf_conntrack_tcp_timeout_established');
    expect(est).toMatchObject({ type: 'integer', unit: 'seconds', value: 432000, display: '5 days', default: 432000, defaultDisplay: '5 days', scope: 'netns', writable: true, min: 1, max: 2147483 });
    expect(findEntry(catalog, 'net.netfilter.nf_conntrack_tcp_timeout_syn_sent')?.display).toBe('2 minutes');
    expect(findEntry(catalog, 'net.netfilter.nf_conntrack_max')).toMatchObject({ unit: 'entries', scope: 'global', default: 262144, display: '262,144 entries', writable: true });
    expect(findEntry(catalog, 'net.netfilter.nf_conntrack_max')?.defaultRule).toMatch(/boot-time bucket count/);
    expect(findEntry(catalog, 'net.netfilter.nf_conntrack_acct')).toMatchObject({ type: 'boolean', unit: 'bool', display: 'off', default: 0 });
    expect(findEntry(catalog, 'net.netfilter.nf_conntrack_events')).toMatchObject({ type: 'enum', display: 'auto' });
    expect(findEntry(catalog, 'net.netfilter.nf_conntrack_count')).toMatchObject({ writable: false, readOnlyReason: expect.stringMatching(/status value/) });
    const hashsize = catalog.entries.at(-1);
    expect(hashsize).toMatchObject({ name: 'module.nf_conntrack.parameters.hashsize', source: 'sysfs', unit: 'buckets', value: 262144, scope: 'global', writable: true });
  });

  it('marks global parameters read-only inside a non-initial network namespace, with the reason', async () => {
    host = await createFakeHost({ netns: true });
    const catalog = await readCatalog({ paths: host.paths });
    expect(catalog.facts.inInitialNetns).toBe(false);
    for (const name of ['net.netfilter.nf_conntrack_max', 'net.netfilter.nf_conntrack_buckets', 'net.netfilter.nf_conntrack_expect_max', 'module.nf_conntrack.parameters.hashsize']) {
      const e = findEntry(catalog, name);
      expect(e?.writable, name).toBe(false);
      expect(e?.readOnlyReason).toMatch(/global parameter.*non-initial network namespace/);
    }
    expect(findEntry(catalog, 'net.netfilter.nf_conntrack_tcp_timeout_established')?.writable).toBe(true);
  });

  it('shows parameters it does not know as raw and read-only', async () => {
    host = await createFakeHost({ values: { nf_conntrack_future_knob: '7\t8' } });
    const catalog = await readCatalog({ paths: host.paths });
    expect(findEntry(catalog, 'net.netfilter.nf_conntrack_future_knob')).toMatchObject({ known: false, type: 'raw', unit: 'raw', scope: 'unknown', raw: '7\t8', value: null, display: '7\t8', writable: false, default: null });
    expect(findEntry(catalog, 'net.netfilter.nf_conntrack_future_knob')?.readOnlyReason).toMatch(/not in ctscope's catalog/);
  });

  it('reports a host without the nf_conntrack module', async () => {
    host = await createFakeHost({ noModule: true });
    const catalog = await readCatalog({ paths: host.paths });
    expect(catalog.moduleLoaded).toBe(false);
    expect(catalog.entries).toEqual([]);
  });

  it('computes memory-derived defaults like the kernel', () => {
    expect(kernelDefaultBuckets({ memTotalBytes: 24 * GIB })).toBe(262144);
    expect(kernelDefaultBuckets({ memTotalBytes: 2 * GIB })).toBe(65536);
    expect(kernelDefaultBuckets({ memTotalBytes: 512 * 1024 ** 2 })).toBe(4096);
    expect(kernelDefaultBuckets({ memTotalBytes: 16 * 1024 ** 2 })).toBe(1024);
  });

  it('parses host facts', () => {
    expect(countCpuList('0-3,6,8-9')).toBe(7);
    expect(countCpuList('0')).toBe(1);
    expect(countCpuList('x')).toBeUndefined();
    expect(parseMemTotal('MemTotal:       24683620 kB\n')).toBe(24683620 * 1024);
  });
});

describe('catalog coverage of this machine', () => {
  it('knows every nf_conntrack_* parameter this kernel has (read-only look at /proc)', async () => {
    const names = await readdir('/proc/sys/net/netfilter').catch(() => [] as string[]);
    const unknown = names.filter((n) => n.startsWith('nf_conntrack_') && !KNOWN_PARAMS.has(n));
    expect(unknown).toEqual([]);
  });

  it('has kernel defaults within its own ranges and descriptions for all', () => {
    for (const p of KNOWN_PARAMS.values()) {
      expect(p.description.length, p.key).toBeGreaterThan(20);
      if (typeof p.default === 'number') {
        expect(p.default, p.key).toBeGreaterThanOrEqual(p.min);
        expect(p.default, p.key).toBeLessThanOrEqual(p.max);
      }
    }
  });
});
