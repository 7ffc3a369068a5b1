import { afterEach, describe, expect, it } from 'vitest';
import { readCatalog } from '../catalog/discover';
import { createFakeHost, type FakeHost } from '../testing/fake-host';
import { applyChanges } from './apply';
import { SysctlValidationError } from './errors';
import { planChange } from './plan';

let host: FakeHost | undefined;
afterEach(async () => {
  await host?.cleanup();
  host = undefined;
});

const EST = 'net.netfilter.nf_conntrack_tcp_timeout_established';

function issuesOf(fn: () => unknown): Array<{ field: string; message: string }> {
  try {
    fn();
  } catch (err) {
    if (err instanceof SysctlValidationError) return [...err.issues];
    throw err;
  }
  throw new Error('expected a validation error');
}

describe('planChange', () => {
  it('accepts numbers, durations and choice labels, and keeps before/after for the audit', async () => {
    host = await createFakeHost();
    const catalog = await readCatalog({ paths: host.paths });
    const plan = planChange(catalog, {
      changes: [
        { name: EST, value: '1h' },
        { name: 'net.netfilter.nf_conntrack_acct', value: 'on' },
        { name: 'net.netfilter.nf_conntrack_max', value: 524288 },
        { name: 'net.netfilter.nf_conntrack_udp_timeout', value: '30' },
      ],
    });
    expect(plan.items.map((w) => [w.name, w.before, w.after, w.unchanged])).toEqual([
      [EST, 432000, 3600, false],
      ['net.netfilter.nf_conntrack_acct', 0, 1, false],
      ['net.netfilter.nf_conntrack_max', 262144, 524288, false],
      ['net.netfilter.nf_conntrack_udp_timeout', 30, 30, true],
    ]);
    expect(plan.items[0]).toMatchObject({ beforeDisplay: '5 days', afterDisplay: '1 hour', scope: 'netns', unit: 'seconds' });
  });

  it.each([
    [{ changes: [{ name: EST, value: 0 }] }, 'changes[0].value', /out of range: give 1 second to 24 days .*\(1–2147483 s\)/],
    [{ changes: [{ name: EST, value: 99999999 }] }, 'changes[0].value', /out of range/],
    [{ changes: [{ name: EST, value: -5 }] }, 'changes[0].value', /out of range/],
    [{ changes: [{ name: EST, value: 'abc' }] }, 'changes[0].value', /not a valid value: give a number of seconds or a duration/],
    [{ changes: [{ name: EST, value: 1.5 }] }, 'changes[0].value', /whole number/],
    [{ changes: [{ name: EST, value: Number.NaN }] }, 'changes[0].value', /.+/],
    [{ changes: [{ name: 'net.netfilter.nf_conntrack_acct', value: 2 }] }, 'changes[0].value', /not allowed: choose one of 0 \(off\), 1 \(on\)/],
    [{ changes: [{ name: 'net.netfilter.nf_conntrack_max', value: 'lots' }] }, 'changes[0].value', /give a whole number/],
    [{ changes: [{ name: 'net.netfilter.nf_conntrack_nonexistent', value: 1 }] }, 'changes[0].name', /does not exist on this host/],
    [{ changes: [{ name: 'net.ipv4.ip_forward', value: 1 }] }, 'changes[0].name', /not a conntrack parameter name: use a full parameter name/],
    [{ changes: [{ name: 'net.netfilter.nf_conntrack_../../../etc/passwd', value: 1 }] }, 'changes[0].name', /not a conntrack parameter name/],
    [{ changes: [{ name: 'net/netfilter/nf_conntrack_max', value: 1 }] }, 'changes[0].name', /not a conntrack parameter name/],
    [{ changes: [{ name: 'net.netfilter.nf_conntrack_max ', value: 1 }] }, 'changes[0].name', /not a conntrack parameter name/],
    [{ changes: [{ name: 'net.netfilter.nf_conntrack_max\n', value: 1 }] }, 'changes[0].name', /not a conntrack parameter name/],
    [{ changes: [{ name: 'net.netfilter.nf_conntrack_count', value: 1 }] }, 'changes[0].name', /read-only here: a status value/],
    [{ changes: [] }, 'changes', /at least one/],
    [{ changes: [{ name: EST, value: 1 }, { name: EST, value: 2 }] }, 'changes', /more than once/],
    [{ changes: [{ name: EST, value: 1, extra: true }] }, 'changes[0]', /.+/],
    [{ changes: [{ name: 7, value: 1 }] }, 'changes[0].name', /must be a string/],
    [null, '(request)', /.+/],
  ])('rejects %j at %s', async (input, field, message) => {
    host = await createFakeHost();
    const catalog = await readCatalog({ paths: host.paths });
    const issues = issuesOf(() => planChange(catalog, input));
    expect(issues.some((i) => i.field === field && message.test(i.message)), JSON.stringify(issues)).toBe(true);
  });

  it('rejects global parameters inside a namespace and unknown ones, naming each field, and writes nothing', async () => {
    host = await createFakeHost({ netns: true, values: { nf_conntrack_future_knob: 5 } });
    const before = await host.read('nf_conntrack_tcp_timeout_established');
    await expect(
      applyChanges({ changes: [{ name: EST, value: 3600 }, { name: 'net.netfilter.nf_conntrack_max', value: 524288 }, { name: 'net.netfilter.nf_conntrack_future_knob', value: 6 }] }, { paths: host.paths }),
    ).rejects.toSatisfy((err: unknown) => {
      const issues = (err as SysctlValidationError).issues;
      return issues.length === 2 && /read-only here: global parameter/.test(issues[0]?.message ?? '') && issues[0]?.field === 'changes[1].name' && /not in ctscope's catalog/.test(issues[1]?.message ?? '');
    });
    expect(await host.read('nf_conntrack_tcp_timeout_established')).toBe(before);
    expect(await host.read('nf_conntrack_future_knob')).toBe('5\n');
  });

  it('keeps the IPv6 fragment thresholds ordered and orders their writes', async () => {
    host = await createFakeHost();
    const catalog = await readCatalog({ paths: host.paths });
    const LOW = 'net.netfilter.nf_conntrack_frag6_low_thresh';
    const HIGH = 'net.netfilter.nf_conntrack_frag6_high_thresh';
    expect(issuesOf(() => planChange(catalog, { changes: [{ name: LOW, value: 5_000_000 }] }))[0]?.message).toMatch(/must not exceed/);
    const up = planChange(catalog, { changes: [{ name: LOW, value: 6_000_000 }, { name: HIGH, value: 8_000_000 }] });
    expect(up.items.map((w) => w.name)).toEqual([HIGH, LOW]);
    const down = planChange(catalog, { changes: [{ name: HIGH, value: 2_000_000 }, { name: LOW, value: 1_000_000 }] });
    expect(down.items.map((w) => w.name)).toEqual([LOW, HIGH]);
  });
});
