// A TIME_WAIT flood for real: short TCP connections closed by the client, in two waves 15 s apart, in
// a namespace whose tcp_timeout_time_wait is 30 s. The global nf_conntrack_max cannot be lowered in a
// test (it is the host's), so the agent's near-full ratio is set tiny instead. The diagnosis must
// offer the time_wait timeout halved (15 s) with the what-if count of entries idle longer than that:
// the first wave and not the second, as `conntrack -L` (remaining timeouts) shows them.
import { createNetns, generateTraffic, skipKernelTests, type Netns } from '@ctscope/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { startDiagnosesProbe, type DiagnosesProbe } from './testing/probe-harness';

const WHATIF = 'Entries idle longer than 15 s (freed when the change is applied with "free idle entries")';

let ns: Netns | undefined;
let probe: DiagnosesProbe | undefined;
afterEach(async () => {
  probe?.stop();
  probe = undefined;
  await ns?.destroy();
  ns = undefined;
});

/** Remaining timeouts of the TIME_WAIT entries, from `conntrack -L`. */
async function timeWaitTimeouts(netns: Netns): Promise<number[]> {
  const out = (await netns.conntrack(['-L', '-p', 'tcp', '--state', 'TIME_WAIT'])).stdout;
  return out
    .split('\n')
    .filter((l) => l.includes('TIME_WAIT'))
    .map((l) => Number(l.trim().split(/\s+/)[2]));
}

describe.skipIf(skipKernelTests())('table filled by one state, real kernel', () => {
  it('a TIME_WAIT flood: the time_wait timeout lowered, with the count of entries it frees', { timeout: 120_000 }, async () => {
    ns = await createNetns();
    await ns.sysctl('net.netfilter.nf_conntrack_tcp_timeout_time_wait', 30);
    probe = await startDiagnosesProbe(ns, ['--diagnose-table-full', '0.00001']);

    const first = await generateTraffic(ns, { tcp: 200 });
    const found = await probe.waitFor('the TIME_WAIT diagnosis', (r) => r.active.find((d) => d.name === 'table-filled-by-state'), 20_000);
    expect(found.id).toBe('table-filled-by-state:TIME_WAIT');
    expect(found.evidence.query).toBe('tcp state:time_wait');
    expect(found.fixes).toEqual([expect.objectContaining({ kind: 'sysctl', changes: { 'net.netfilter.nf_conntrack_tcp_timeout_time_wait': 15 } })]);
    expect(found.evidence.facts).toContainEqual({ label: 'net.netfilter.nf_conntrack_tcp_timeout_time_wait', value: '30 s' });
    expect(found.evidence.examples.every((e) => e.state === 'TIME_WAIT')).toBe(true);

    await new Promise((resolve) => setTimeout(resolve, 15_000));
    const second = await generateTraffic(ns, { tcp: 100 });
    expect(first.tcp + second.tcp).toBe(300);
    expect(await timeWaitTimeouts(ns)).toHaveLength(300);

    // Once the first wave has been idle more than 15 s (and before it expires at 30 s; the second wave is
    // idle less than 15 s until then), the what-if names it all.
    const counted = await probe.waitFor('a what-if of the whole first wave', (r) => r.active.find((d) => d.evidence.facts.some((f) => f.label === WHATIF && f.value === String(first.tcp))), 25_000);
    const timeouts = await timeWaitTimeouts(ns);
    const idleLonger = timeouts.filter((left) => 30 - left > 15).length;
    expect(idleLonger).toBe(first.tcp);
    expect(timeouts.length - idleLonger).toBe(second.tcp);
    expect(counted.fixes[0]?.label).toBe(`Lower nf_conntrack_tcp_timeout_time_wait from 30 s to 15 s (frees ${first.tcp} idle entries)`);
  });
});
