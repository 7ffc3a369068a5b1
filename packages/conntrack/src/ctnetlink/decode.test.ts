import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Flow } from '../flow';
import { parseConntrackStats } from '../text';
import { formatFlowEvent, formatFlowExtended } from '../text/format';
import { formatExpectation } from '../text/format-expect';
import type { Expectation } from '../expectation';
import { decodeExpectation } from './decode-expect';
import { decodeFlow, statusNames } from './decode-flow';
import { decodeCpuStats, decodeDumpDatagram, eventTypeOf, forEachMessage } from './decode-message';
import { DecodeError } from './errors';
import { LABEL_NAMES } from './testing/labels';
import { lineId, stableLine } from './testing/stable-line';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const datagrams = (name: string) =>
  fixture(name)
    .split('\n')
    .filter(Boolean)
    .map((hex) => Buffer.from(hex, 'hex'));

// Timeouts tick and delta-time grows between our capture and the CLI's: compare everything else.
const stable = stableLine;

function dumpFlows(): Flow[] {
  const flows: Flow[] = [];
  for (const buf of datagrams('dump.hex')) decodeDumpDatagram(buf, flows, (errno) => expect.fail(`errno ${errno}`));
  return flows;
}

describe('ctnetlink decoder on captured kernel messages', () => {
  const flows = dumpFlows();
  const expected = fixture('dump.expected.txt').split('\n').filter(Boolean);

  it('decodes every entry of the dump, field for field like conntrack -L -o extended,id,labels', () => {
    expect(flows).toHaveLength(expected.length);
    const ours = new Map(flows.map((f) => [f.id, stable(formatFlowExtended(f, { nowSeconds: 0, labelNames: LABEL_NAMES }))]));
    for (const line of expected) {
      const id = lineId(line);
      expect(ours.get(id), line).toBe(stable(line));
    }
  });

  it('decodes connection labels set by the kernel (bits in both words of the bitmap)', () => {
    const labelled = flows.filter((f) => f.labels !== undefined);
    expect(labelled.map((f) => f.labels)).toEqual([[5, 70]]);
    expect(labelled[0]?.orig.dport).toBe(7001);
    expect(expected.filter((line) => line.includes('labels=ctscope-five,ctscope-seventy'))).toHaveLength(1);
  });

  it('covers tcp, udp, icmp, icmpv6, ipv6, NAT, counters, timestamps, zones and marks', () => {
    const protos = new Set(flows.map((f) => `${f.family}/${f.proto}`));
    expect(protos).toEqual(new Set(['ipv4/tcp', 'ipv6/tcp', 'ipv4/udp', 'ipv6/udp', 'ipv4/icmp', 'ipv6/icmpv6']));
    const dnat = flows.find((f) => f.orig.dport === 7100);
    expect(dnat?.nat?.dst).toEqual({ from: '127.0.0.1', to: '127.0.0.1', fromPort: 7100, toPort: 7101 });
    expect(dnat?.status).toContain('DST_NAT');
    const snat = flows.find((f) => f.orig.dport === 7200);
    expect(snat?.nat?.src).toMatchObject({ from: '127.0.0.1', to: '127.0.0.3' });
    expect(flows.find((f) => f.orig.dport === 7001)?.mark).toBe(0x10);
    expect(flows.find((f) => f.orig.dport === 7003)?.zone).toBe(3);
    const established = flows.find((f) => f.state === 'ESTABLISHED' && f.family === 'ipv6');
    expect(established?.countersOrig?.packets).toBeGreaterThan(0n);
    expect(established?.timestampStart).toBeGreaterThan(1_600_000_000n * 1_000_000_000n);
    const ping = flows.find((f) => f.proto === 'icmpv6');
    expect(ping?.orig).toMatchObject({ src: '::1', dst: '::1', icmpType: 128, icmpCode: 0 });
    expect(ping?.reply.icmpType).toBe(129);
    expect(flows.find((f) => f.orig.dport === 7300)?.status).not.toContain('SEEN_REPLY');
  });

  it('decodes per-CPU statistics like conntrack -S', () => {
    const rows = datagrams('stats-cpu.hex').flatMap((buf) => {
      const out: ReturnType<typeof decodeCpuStats>[] = [];
      forEachMessage(buf, (m) => {
        if (m.kind === 'body') out.push(decodeCpuStats(buf, m.start, m.end));
      });
      return out;
    });
    expect(rows).toEqual(parseConntrackStats(fixture('stats-cpu.expected.txt')));
  });

  it('decodes the events of a TCP session in the order conntrack -E printed them', () => {
    const ours: string[] = [];
    for (const buf of datagrams('events.hex')) {
      forEachMessage(buf, (m) => {
        if (m.kind !== 'body') return;
        const type = eventTypeOf(m.header);
        if (type) ours.push(stable(formatFlowEvent(type, decodeFlow(buf, m.start, m.end), { extended: true, id: true }).trim()));
      });
    }
    const cli = fixture('events.expected.txt').split('\n').filter(Boolean).map((l) => stable(l.trim()));
    const session = (lines: string[]) => lines.filter((l) => l.includes('dport=7400'));
    expect(session(ours)).toEqual(session(cli));
    expect(session(ours)[0]).toMatch(/^\[NEW\]/);
    expect(session(ours).at(-1)).toMatch(/^\[(UPDATE|DESTROY)\]/);
  });
});

describe('expectations captured from the kernel (FTP helper, IPv4 PASV and IPv6 EPSV)', () => {
  const expectations: Expectation[] = [];
  for (const buf of datagrams('expect.hex'))
    forEachMessage(buf, (m) => {
      if (m.kind === 'body' && m.header.type === 0x200) expectations.push(decodeExpectation(buf, m.start, m.end));
    });
  const cli = fixture('expect.expected.txt').split('\n').filter(Boolean);
  const withoutTimeout = (line: string) => line.replace(/^\d+ /, 'T ');

  it('prints every expectation as conntrack -L expect did, field for field', () => {
    expect(expectations).toHaveLength(2);
    expect(expectations.map((e) => withoutTimeout(formatExpectation(e))).sort()).toEqual(cli.map(withoutTimeout).sort());
  });

  it('decodes master, tuple, mask, helper, class, flags and id', () => {
    const v6 = expectations.find((e) => e.family === 'ipv6');
    expect(v6).toMatchObject({
      proto: 'tcp',
      protoNum: 6,
      tuple: { src: '::1', dst: '::1', sport: 0, dport: 51211 },
      mask: { dst: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', sport: 0, dport: 65535 },
      master: { src: '::1', dst: '::1', dport: 21 },
      helper: 'ftp',
      class: 0,
      flagBits: 0,
      flags: [],
    });
    expect(v6?.id).toBeGreaterThan(0);
    expect(v6?.timeout).toBeGreaterThan(250);
  });

  it('rejects expectations missing their tuples or timeout with DecodeError', () => {
    expect(() => decodeExpectation(Buffer.from([2, 0, 0, 0]), 0, 4)).toThrow(/without its master, tuple and mask/);
    expect(() => decodeExpectation(Buffer.from([7, 0, 0, 0]), 0, 4)).toThrow(DecodeError);
    const first = datagrams('expect.hex')[0] as Buffer;
    expect(() => decodeExpectation(first, 16, 40)).toThrow(DecodeError);
  });
});

describe('malformed input', () => {
  const sample = datagrams('dump.hex')[0] as Buffer;
  it('throws DecodeError for truncated messages and impossible lengths', () => {
    expect(() => decodeDumpDatagram(sample.subarray(0, 40), [], () => undefined)).toThrow(DecodeError);
    const corrupt = Buffer.from(sample);
    corrupt.writeUInt16LE(0xfff0, 20);
    expect(() => decodeDumpDatagram(corrupt, [], () => undefined)).toThrow(DecodeError);
    expect(() => decodeFlow(Buffer.from([2, 0, 0, 0]), 0, 4)).toThrow(/without both tuples/);
    expect(() => decodeFlow(Buffer.from([99, 0, 0, 0]), 0, 4)).toThrow(/unknown address family/);
  });
  it('shares status name lists', () => {
    expect(statusNames(0b1110)).toEqual(['SEEN_REPLY', 'ASSURED', 'CONFIRMED']);
    expect(statusNames(0b1110)).toBe(statusNames(0b1110));
  });
});
