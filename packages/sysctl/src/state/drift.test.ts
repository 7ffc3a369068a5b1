import { afterEach, describe, expect, it } from 'vitest';
import { createFakeHost, type FakeHost } from '../testing/fake-host';
import { readSysctlState } from './drift';

let host: FakeHost | undefined;
afterEach(async () => {
  await host?.cleanup();
  host = undefined;
});

const N = (k: string) => `net.netfilter.nf_conntrack_${k}`;

describe('readSysctlState', () => {
  it('shows drift between runtime, persisted files and kernel defaults per parameter', async () => {
    host = await createFakeHost({
      values: { nf_conntrack_tcp_timeout_established: 3600, nf_conntrack_udp_timeout: 20, nf_conntrack_acct: 1 },
      files: {
        'etc/sysctl.d/90-ctscope.conf': `${N('tcp_timeout_established')} = 3600\n${N('udp_timeout')} = 60\n${N('max')} = 524288\n`,
        'etc/sysctl.d/99-local.conf': `${N('max')} = 131072\n`,
        'etc/modules-load.d/ctscope.conf': 'nf_conntrack\n',
      },
    });
    const state = await readSysctlState({ paths: host.paths });
    const get = (k: string) => state.params.find((p) => p.name === N(k));
    expect(state.earlyModuleLoad).toMatch(/modules-load\.d\/ctscope\.conf$/);
    expect(get('tcp_timeout_established')?.drift).toMatchObject({ runtimeVsPersisted: 'same', runtimeVsDefault: 'changed' });
    expect(get('udp_timeout')?.drift).toMatchObject({ runtimeVsPersisted: 'differs', runtimeVsDefault: 'changed' });
    expect(get('udp_timeout')?.drift.summary).toMatch(/runtime 20 seconds differs from 1 minute persisted in .*90-ctscope\.conf:2; a reboot would bring that back/);
    expect(get('acct')?.drift).toMatchObject({ runtimeVsPersisted: 'not-persisted', runtimeVsDefault: 'changed' });
    expect(get('acct')?.drift.summary).toMatch(/not persisted: a reboot brings the default back/);
    expect(get('generic_timeout')?.drift).toMatchObject({ runtimeVsPersisted: 'not-persisted', runtimeVsDefault: 'default', summary: 'kernel default' });
    const max = get('max');
    expect(max?.ctscope?.value).toBe(524288);
    expect(max?.persisted?.value).toBe(131072);
    expect(max?.overriddenBy?.file).toMatch(/99-local\.conf$/);
    expect(state.params.find((p) => p.source === 'sysfs')?.persisted).toBeNull();
  });

  it('warns that persisted values are lost when nf_conntrack is not loaded early', async () => {
    host = await createFakeHost({ files: { 'etc/sysctl.d/90-ctscope.conf': `${N('udp_timeout')} = 30\n` } });
    const state = await readSysctlState({ paths: host.paths });
    expect(state.earlyModuleLoad).toBeNull();
    expect(state.params.find((p) => p.name === N('udp_timeout'))?.drift.summary).toMatch(/not loaded early at boot/);
  });
});
