import type { Flow, StatusFlag } from '@ctscope/conntrack';
import { describe, expect, it } from 'vitest';
import { previewBuckets, previewMax } from './limits';
import { previewTimeoutChange } from './timeout';

let nextPort = 10000;
function flow(proto: Flow['proto'], timeout: number, state?: string, status: StatusFlag[] = ['ASSURED', 'CONFIRMED']): Flow {
  const protoNum = { tcp: 6, udp: 17, icmp: 1 }[proto as 'tcp'] ?? 0;
  const port = nextPort++;
  const f: Flow = {
    family: 'ipv4',
    proto,
    protoNum,
    orig: { src: '10.0.0.1', dst: '10.0.0.2', protoNum, sport: port, dport: 443 },
    reply: { src: '10.0.0.2', dst: '10.0.0.1', protoNum, sport: 443, dport: port },
    status,
    statusBits: 0,
    timeout,
    id: port,
  };
  if (state !== undefined) f.state = state;
  return f;
}

const EST = 'net.netfilter.nf_conntrack_tcp_timeout_established';

describe('previewTimeoutChange', () => {
  const flows = [
    flow('tcp', 431990, 'ESTABLISHED'), // idle 10 s
    flow('tcp', 420000, 'ESTABLISHED'), // idle 12000 s
    flow('tcp', 100, 'ESTABLISHED'), // idle 431900 s
    flow('tcp', 300000, 'ESTABLISHED', ['ASSURED', 'FIXED_TIMEOUT']), // fixed: not governed
    flow('tcp', 100, 'TIME_WAIT'),
    flow('udp', 10),
    flow('icmp', 5),
  ];

  it('counts governed entries idle longer than the new value, with the message and a predicate', () => {
    const p = previewTimeoutChange(flows, { name: EST, current: 432000, proposed: 3600 });
    expect(p).toMatchObject({ previewable: true, governed: 3, total: 7, idleLonger: 2, percent: 66.7, percentOfTable: 28.6 });
    expect(p.message).toBe('2 entries (66.7 %) have been idle longer than 3600 s; they will NOT expire sooner by themselves — free them now?');
    expect(p.matches.map((f) => f.timeout)).toEqual([420000, 100]);
    expect(p.sample.map((f) => f.timeout)).toEqual([100, 420000]);
    expect(flows.filter(p.predicate)).toEqual(p.matches);
    expect(p.idleSeconds(flows[1] as Flow)).toBe(12000);
    expect(p.idleSeconds(flows[4] as Flow)).toBeUndefined();
    expect(previewTimeoutChange(flows, { name: EST, current: 432000, proposed: 3600 }, 1).sample).toHaveLength(1);
  });

  it('tells UDP streams (ASSURED) from one-shot exchanges', () => {
    const udp = [flow('udp', 5, undefined, ['CONFIRMED']), flow('udp', 20, undefined, ['ASSURED', 'CONFIRMED'])];
    expect(previewTimeoutChange(udp, { name: 'net.netfilter.nf_conntrack_udp_timeout', current: 30, proposed: 10 })).toMatchObject({ governed: 1, idleLonger: 1 });
    expect(previewTimeoutChange(udp, { name: 'net.netfilter.nf_conntrack_udp_timeout_stream', current: 120, proposed: 60 })).toMatchObject({ governed: 1, idleLonger: 1 });
  });

  it('says when there is nothing to free, when raising, and when no preview is possible', () => {
    expect(previewTimeoutChange(flows, { name: EST, current: 432000, proposed: 500000 }).message).toMatch(/^Raising the timeout to 500000 s \(5 days 18 hours\): existing entries keep their current expiry/);
    expect(previewTimeoutChange([flows[0] as Flow], { name: EST, current: 432000, proposed: 3600 }).message).toMatch(/^No entries have been idle longer than 3600 s/);
    const retrans = previewTimeoutChange(flows, { name: 'net.netfilter.nf_conntrack_tcp_timeout_max_retrans', current: 300, proposed: 60 });
    expect(retrans).toMatchObject({ previewable: false, idleLonger: 0 });
    expect(retrans.reason).toMatch(/caps the state timeouts/);
    expect(previewTimeoutChange(flows, { name: 'net.netfilter.nf_conntrack_max', current: 1, proposed: 2 }).previewable).toBe(false);
  });
});

describe('previewMax / previewBuckets', () => {
  it('shows usage, memory and chain length of a proposed max', () => {
    const p = previewMax({ count: 200000, currentMax: 262144, proposedMax: 1048576, buckets: 262144, memTotalBytes: 24 * 1024 ** 3 });
    expect(p).toMatchObject({ usagePercent: 19.1, headroom: 848576, chainLength: 8, warnings: [] });
    expect(p.memory.fullTableBytes).toBe(1048576 * 320 + 262144 * 8);
    expect(p.message).toMatch(/^200,000 of 1,048,576 entries \(19\.1 %\); about 322 MiB when full/);
    const tight = previewMax({ count: 200000, currentMax: 262144, proposedMax: 131072, buckets: 16384 });
    expect(tight.warnings[0]).toMatch(/every new connection is dropped/);
    expect(tight.warnings[1]).toMatch(/16 entries per hash chain/);
    expect(previewBuckets(262144, 131072)).toMatchObject({ chainLength: 4, hashTableBytes: 1048576 });
  });
});
