import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeIo } from '../io';
import { createFakeHost, type FakeHost } from '../testing/fake-host';
import { effectiveAssignment, keyMatches, normaliseKey, parseSysctlConf, readPersistedConfig } from './sysctl-d';

let host: FakeHost | undefined;
afterEach(async () => {
  await host?.cleanup();
  host = undefined;
});

const MAX = 'net.netfilter.nf_conntrack_max';

describe('sysctl.d syntax', () => {
  it('parses comments, slashes, ignore-error marks and odd spacing', () => {
    const text = ['# comment', '; also a comment', '', 'net/netfilter/nf_conntrack_max=1000', '  -net.netfilter.nf_conntrack_acct =  1  ', 'garbage line', '= 5'].join('\n');
    expect(parseSysctlConf(text, '/f.conf')).toEqual([
      { key: MAX, value: '1000', file: '/f.conf', line: 4, ignoreErrors: false },
      { key: 'net.netfilter.nf_conntrack_acct', value: '1', file: '/f.conf', line: 5, ignoreErrors: true },
    ]);
  });
  it('normalises keys and matches globs', () => {
    expect(normaliseKey('net/ipv4/conf/eth0.100/rp_filter')).toBe('net.ipv4.conf.eth0/100.rp_filter');
    expect(normaliseKey('net.netfilter.nf_conntrack_max')).toBe(MAX);
    expect(keyMatches('net.netfilter.nf_conntrack_tcp_timeout_*', 'net.netfilter.nf_conntrack_tcp_timeout_close')).toBe(true);
    expect(keyMatches('net.netfilter.nf_conntrack_tcp_timeout_*', MAX)).toBe(false);
  });
});

describe('readPersistedConfig', () => {
  it('applies files in boot order: /etc masks /usr/lib, sorted by name, sysctl.conf last', async () => {
    host = await createFakeHost({
      files: {
        'usr/lib/sysctl.d/50-default.conf': `${MAX} = 1000\n`,
        'usr/lib/sysctl.d/95-vendor.conf': `${MAX} = 2000\n`,
        'etc/sysctl.d/95-vendor.conf': `${MAX} = 3000\n`,
        'run/sysctl.d/97-run.conf': 'net.netfilter.nf_conntrack_acct = 1\n',
        'etc/sysctl.conf': 'net.netfilter.nf_conntrack_acct = 0\n',
        'etc/sysctl.d/README': `${MAX} = 9\n`,
      },
    });
    const config = await readPersistedConfig(host.paths, nodeIo);
    expect(config.files.map((f) => f.slice(host!.paths.rootfs.length))).toEqual(['/usr/lib/sysctl.d/50-default.conf', '/etc/sysctl.d/95-vendor.conf', '/run/sysctl.d/97-run.conf', '/etc/sysctl.conf']);
    expect(effectiveAssignment(config, MAX)?.value).toBe('3000');
    expect(effectiveAssignment(config, 'net.netfilter.nf_conntrack_acct')?.value).toBe('0');
  });

  it('reads sysctl.conf once when it is also linked into sysctl.d', async () => {
    host = await createFakeHost({ files: { 'etc/sysctl.conf': `${MAX} = 5\n` } });
    await symlink('../sysctl.conf', join(host.paths.etc, 'sysctl.d/99-sysctl.conf'));
    const config = await readPersistedConfig(host.paths, nodeIo);
    expect(config.assignments).toHaveLength(1);
  });
});
