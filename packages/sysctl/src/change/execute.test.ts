import { basename } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readCatalog } from '../catalog/discover';
import { nodeIo, type SysctlIo } from '../io';
import { createFakeHost, type FakeHost } from '../testing/fake-host';
import { applyChanges, previousValues, rollback } from './apply';
import { executePlan } from './execute';
import { planChange } from './plan';

let host: FakeHost | undefined;
afterEach(async () => {
  await host?.cleanup();
  host = undefined;
});

const N = (k: string) => `net.netfilter.nf_conntrack_${k}`;
const REQUEST = { changes: [{ name: N('tcp_timeout_established'), value: 3600 }, { name: N('udp_timeout'), value: 20 }, { name: N('acct'), value: 1 }] };

/** Real files, but writes to the named file fail like a kernel EINVAL (optionally after n successes). */
function failingWrites(key: string, after = 0): SysctlIo {
  let seen = 0;
  return {
    ...nodeIo,
    async writeExisting(path, content) {
      if (basename(path) === key && seen++ >= after) throw Object.assign(new Error('EINVAL: invalid argument, write'), { code: 'EINVAL' });
      await nodeIo.writeExisting(path, content);
    },
  };
}

describe('executePlan', () => {
  it('writes, reads back and reports before/after per parameter', async () => {
    host = await createFakeHost();
    const calls: string[] = [];
    const outcome = await applyChanges(REQUEST, { paths: host.paths, onBeforeWrite: async (plan) => void calls.push(`audit ${plan.items.length}`) });
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(calls).toEqual(['audit 3']);
    expect(outcome.applied).toEqual([
      { name: N('tcp_timeout_established'), before: 432000, after: 3600, readBack: 3600 },
      { name: N('udp_timeout'), before: 30, after: 20, readBack: 20 },
      { name: N('acct'), before: 0, after: 1, readBack: 1 },
    ]);
    expect(await host.read('nf_conntrack_tcp_timeout_established')).toBe('3600\n');
    const back = await rollback(previousValues(outcome.applied), { paths: host.paths });
    expect(back.ok).toBe(true);
    expect(await host.read('nf_conntrack_tcp_timeout_established')).toBe('432000\n');
    expect(await host.read('nf_conntrack_udp_timeout')).toBe('30\n');
    expect(await host.read('nf_conntrack_acct')).toBe('0\n');
  });

  it('rolls back everything already written when a later write fails', async () => {
    host = await createFakeHost();
    const outcome = await applyChanges(REQUEST, { paths: host.paths, io: failingWrites('nf_conntrack_acct') });
    expect(outcome).toMatchObject({ ok: false, code: 'write-failed', failed: N('acct'), rollbackComplete: true });
    if (outcome.ok) return;
    expect(outcome.message).toMatch(/refused net\.netfilter\.nf_conntrack_acct = 1 .*rolled back/);
    expect(outcome.applied.map((a) => a.name)).toEqual([N('tcp_timeout_established'), N('udp_timeout')]);
    expect(outcome.rollback.map((s) => [s.name, s.value, s.restored])).toEqual([
      [N('acct'), 0, true],
      [N('udp_timeout'), 30, true],
      [N('tcp_timeout_established'), 432000, true],
    ]);
    expect(await host.read('nf_conntrack_tcp_timeout_established')).toBe('432000\n');
    expect(await host.read('nf_conntrack_udp_timeout')).toBe('30\n');
  });

  it('rolls back when the kernel reads back another value', async () => {
    host = await createFakeHost();
    let first = true;
    const io: SysctlIo = {
      ...nodeIo,
      async writeExisting(path, content) {
        const garble = basename(path) === 'nf_conntrack_udp_timeout' && first;
        if (garble) first = false;
        await nodeIo.writeExisting(path, garble ? '25\n' : content);
      },
    };
    const outcome = await applyChanges(REQUEST, { paths: host.paths, io });
    expect(outcome).toMatchObject({ ok: false, code: 'readback-mismatch', failed: N('udp_timeout'), rollbackComplete: true });
    expect(await host.read('nf_conntrack_tcp_timeout_established')).toBe('432000\n');
    expect(await host.read('nf_conntrack_udp_timeout')).toBe('30\n');
  });

  it('says so when a rollback write fails too', async () => {
    host = await createFakeHost();
    // udp_timeout: the first write works, the rollback write fails; acct always fails.
    const inner = failingWrites('nf_conntrack_udp_timeout', 1);
    const io: SysctlIo = { ...inner, writeExisting: (p, c) => (basename(p) === 'nf_conntrack_acct' ? Promise.reject(new Error('EINVAL')) : inner.writeExisting(p, c)) };
    const outcome = await applyChanges(REQUEST, { paths: host.paths, io });
    expect(outcome).toMatchObject({ ok: false, code: 'write-failed', rollbackComplete: false });
    if (outcome.ok) return;
    expect(outcome.rollback.find((s) => s.name === N('udp_timeout'))).toMatchObject({ restored: false, error: expect.stringMatching(/EINVAL/) });
    expect(await host.read('nf_conntrack_tcp_timeout_established')).toBe('432000\n');
  });

  it('writes nothing when the audit hook throws', async () => {
    host = await createFakeHost();
    const outcome = await applyChanges(REQUEST, { paths: host.paths, onBeforeWrite: () => Promise.reject(new Error('audit log unavailable')) });
    expect(outcome).toMatchObject({ ok: false, code: 'aborted', message: 'not applied: audit log unavailable', applied: [], rollback: [] });
    expect(await host.read('nf_conntrack_tcp_timeout_established')).toBe('432000\n');
  });

  it('refuses a plan whose before values changed since planning (someone else wrote)', async () => {
    host = await createFakeHost();
    const plan = planChange(await readCatalog({ paths: host.paths }), REQUEST);
    await nodeIo.writeExisting(`${host.paths.procfs}/sys/net/netfilter/nf_conntrack_udp_timeout`, '45\n');
    const outcome = await executePlan(plan);
    expect(outcome).toMatchObject({ ok: false, code: 'conflict', failed: N('udp_timeout') });
    expect(await host.read('nf_conntrack_tcp_timeout_established')).toBe('432000\n');
  });

  it('skips unchanged values and succeeds with nothing to write', async () => {
    host = await createFakeHost();
    const outcome = await applyChanges({ changes: [{ name: N('udp_timeout'), value: 30 }] }, { paths: host.paths });
    expect(outcome).toMatchObject({ ok: true, applied: [] });
  });
});
