// INVALID packets for real: a TCP connection in a namespace whose client segments get, now and then,
// an ACK number for data never sent (rewritten by an nft rule before conntrack sees them), which
// conntrack's window tracking marks INVALID ("ACK is over upper bound"). The agent's services must
// diagnose the rising counter, with the rate the kernel's own counters (conntrack -S) show.
import { createNetns, skipKernelTests, type Netns } from '@ctscope/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { parseExposition, valueOf } from '../metrics/testing/parse-exposition';
import { startDiagnosesProbe, type DiagnosesProbe } from './testing/probe-harness';

/** Rewrites the ACK number of some client data segments, at raw priority (before conntrack). */
const MANGLE = `
table ip ctscope_test_mangle {
  chain out {
    type filter hook output priority -300; policy accept;
    tcp dport 7000 meta length > 60 numgen random mod 4 == 0 @th,64,32 set 0x11111111
    tcp dport 7000 meta length > 60 numgen random mod 4 == 1 @th,64,32 set 0x91111111
  }
}
`;
/** A client writing 100 bytes every 50 ms to a server on 127.0.0.1:7000. */
const TCP_TALK = "const net=require('net');net.createServer((s)=>s.resume()).listen(7000,'127.0.0.1',()=>{const c=net.connect(7000,'127.0.0.1',()=>{console.log('talking');setInterval(()=>c.write('x'.repeat(100)),50)})});";

let ns: Netns | undefined;
let probe: DiagnosesProbe | undefined;
afterEach(async () => {
  probe?.stop();
  probe = undefined;
  await ns?.destroy();
  ns = undefined;
});

async function invalidTotal(netns: Netns): Promise<number> {
  const out = (await netns.conntrack(['-S'])).stdout;
  return [...out.matchAll(/\binvalid=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
}

describe.skipIf(skipKernelTests())('INVALID drops, real kernel', () => {
  it('diagnoses the rising invalid counter with its rate, per CPU, and the be_liberal and LOG fixes', { timeout: 90_000 }, async () => {
    ns = await createNetns();
    probe = await startDiagnosesProbe(ns, ['--diagnose-invalid-rate', '0.5']);
    const talk = ns.spawn(process.execPath, ['-e', TCP_TALK]);
    await new Promise<void>((resolve) => talk.stdout?.on('data', (d: Buffer) => d.toString().includes('talking') && resolve()));
    // A healthy connection first: no INVALID, no diagnosis.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await invalidTotal(ns)).toBe(0);
    expect(probe.reports.flatMap((r) => r.active).filter((d) => d.name === 'invalid-drops')).toEqual([]);

    await ns.exec('nft', ['-f', '-'], MANGLE);
    const found = await probe.waitFor('the INVALID diagnosis', (r) => r.active.find((d) => d.name === 'invalid-drops'), 30_000);
    const kernelTotal = await invalidTotal(ns);
    const facts = new Map(found.evidence.facts.map((f) => [f.label, f.value]));
    const total = Number(facts.get('INVALID packets in total (kernel counter)'));
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(kernelTotal);
    const rateLabel = [...facts.keys()].find((k) => k.startsWith('INVALID packets/s'));
    const rate = Number(facts.get(rateLabel ?? ''));
    expect(rate).toBeGreaterThanOrEqual(0.5);
    // At most every segment of the connection (20 a second) is INVALID.
    expect(rate).toBeLessThan(20);
    const perCpu = [...facts].filter(([label]) => label.startsWith('INVALID/s on CPU')).reduce((sum, [, v]) => sum + Number(v), 0);
    expect(perCpu).toBeCloseTo(rate, 0);
    expect(facts.get('net.netfilter.nf_conntrack_tcp_be_liberal')).toBe('0');
    expect(found.fixes).toEqual([
      expect.objectContaining({ kind: 'sysctl', changes: { 'net.netfilter.nf_conntrack_tcp_be_liberal': 1 } }),
      expect.objectContaining({ kind: 'rule', spec: { kind: 'log-invalid' }, expiresInSeconds: 60 }),
    ]);

    // The agent's /metrics (served in the namespace) says the same.
    const scrape = await ns.exec(process.execPath, ['-e', 'fetch("http://127.0.0.1:9477/metrics").then((r) => r.text()).then((t) => process.stdout.write(t))']);
    const families = parseExposition(scrape.stdout);
    expect(valueOf(families, 'ctscope_diagnosis_active', { name: 'invalid-drops' })).toBe(1);
    expect(valueOf(families, 'ctscope_diagnosis_active', { name: 'udp-black-hole' })).toBe(0);
  });
});
