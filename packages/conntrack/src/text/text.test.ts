import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STATUS_BITS, type Flow } from '../flow';
import { TextParseError } from './errors';
import { formatFlowEvent, formatFlowExtended, formatFlowPlain } from './format';
import { parseConntrackEventLine } from './parse-event';
import { parseConntrackLine, parseConntrackText } from './parse-line';
import { parseConntrackCount, parseConntrackStats } from './parse-stats';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const lines = (name: string) => fixture(name).split('\n').filter(Boolean);
const NOW = 1_800_000_000;

describe('round trip on captured conntrack -L output', () => {
  const cases: [string, (flow: Flow, nowSeconds: number) => string][] = [
    ['list-plain.txt', (f, nowSeconds) => formatFlowPlain(f, { nowSeconds })],
    ['list-id.txt', (f, nowSeconds) => formatFlowPlain(f, { id: true, nowSeconds })],
    ['list-extended.txt', (f, nowSeconds) => formatFlowExtended(f, { id: false, nowSeconds })],
    ['list-extended-id.txt', (f, nowSeconds) => formatFlowExtended(f, { nowSeconds })],
    ['list-acct-timestamp.txt', (f, nowSeconds) => formatFlowExtended(f, { nowSeconds })],
  ];
  for (const [name, format] of cases) {
    it(`${name}: every line prints back identically`, () => {
      const all = lines(name);
      expect(all.length).toBeGreaterThan(5);
      for (const line of all) expect(format(parseConntrackLine(line, { nowSeconds: NOW }), NOW)).toBe(line);
    });
  }

  it('list-ktimestamp.txt: every line prints back identically (at the CLI clock: start + delta-time)', () => {
    for (const line of lines('list-ktimestamp.txt')) {
      const flow = parseConntrackLine(line);
      const delta = Number(/delta-time=(\d+)/.exec(line)?.[1]);
      const nowSeconds = Number((flow.timestampStart ?? 0n) / 1_000_000_000n) + delta;
      expect(formatFlowExtended(flow, { ktimestamp: true, nowSeconds })).toBe(line);
    }
  });

  it('reads every kind of entry the scenario made', () => {
    const flows = parseConntrackText(fixture('list-acct-timestamp.txt'));
    const withSummary = `${fixture('list-acct-timestamp.txt')}conntrack v1.4.7 (conntrack-tools): ${flows.length} flow entries have been shown.\n`;
    expect(parseConntrackText(withSummary)).toHaveLength(flows.length);
    const byDport = (port: number) => flows.find((f) => f.orig.dport === port);
    expect(flows.map((f) => f.proto).sort()).toEqual(['icmp', 'icmpv6', 'tcp', 'tcp', 'tcp', 'tcp', 'tcp', 'tcp', 'udp', 'udp', 'udp', 'udp']);
    expect(flows.filter((f) => f.family === 'ipv6')).toHaveLength(4);
    expect(byDport(7001)?.mark).toBe(16);
    expect(byDport(7003)?.zone).toBe(3);
    expect(byDport(7300)).toMatchObject({ state: 'SYN_SENT', status: ['CONFIRMED'] });
    expect(byDport(7200)?.nat).toEqual({ src: { from: '127.0.0.1', to: '127.0.0.3' } });
    expect(byDport(7200)?.status).toContain('SRC_NAT');
    expect(byDport(7100)?.nat).toEqual({ dst: { from: '127.0.0.1', to: '127.0.0.1', fromPort: 7100, toPort: 7101 } });
    const established = flows.find((f) => f.state === 'ESTABLISHED' && f.family === 'ipv4');
    expect(established?.status).toEqual(['SEEN_REPLY', 'ASSURED', 'CONFIRMED']);
    expect(established?.countersOrig?.packets).toBeGreaterThan(0n);
    expect(established?.timestampStart).toBeTypeOf('bigint');
    const ping = flows.find((f) => f.proto === 'icmp');
    expect(ping?.orig).toMatchObject({ icmpType: 8, icmpCode: 0 });
    expect(ping?.reply).toMatchObject({ icmpType: 0, icmpCode: 0, icmpId: ping?.orig.icmpId });
  });

  it('plain and extended output of the same table parse to the same flows', () => {
    // Captured one after the other: a countdown may have ticked between the two commands.
    const withoutTimeout = (flows: Flow[]) => flows.map(({ timeout: _timeout, ...rest }) => rest);
    const plain = parseConntrackText(fixture('list-id.txt'));
    const extended = parseConntrackText(fixture('list-extended-id.txt'));
    expect(withoutTimeout(plain)).toEqual(withoutTimeout(extended));
  });
});

describe('events', () => {
  it('parses -E -o id,extended: NEW, UPDATEs through the TCP states, DESTROY by userspace', () => {
    const events = lines('events-extended-id.txt').map((line) => parseConntrackEventLine(line));
    expect(events.map((e) => e.type)).toEqual(['NEW', 'UPDATE', 'UPDATE', 'UPDATE', 'UPDATE', 'UPDATE', 'DESTROY']);
    expect(events.map((e) => e.flow.state)).toEqual(['SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'LAST_ACK', 'TIME_WAIT', 'TIME_WAIT']);
    expect(new Set(events.map((e) => e.flow.id)).size).toBe(1);
    expect(events[0]?.flow.status).not.toContain('SEEN_REPLY');
    expect(events[6]?.userspace?.portid).toBeGreaterThan(0);
    for (const [i, line] of lines('events-extended-id.txt').entries()) {
      const event = events[i];
      if (!event) continue;
      expect(formatFlowEvent(event.type, event.flow)).toBe(line.replace(/ \[USERSPACE\].*$/, ''));
    }
  });

  it('reads a program name with spaces after [USERSPACE]', () => {
    const line = `${lines('events-extended-id.txt').at(-1)?.replace(/ \[USERSPACE\].*$/, '')} [USERSPACE] portid=123 progname=Web Content`;
    expect(parseConntrackEventLine(line).userspace).toEqual({ portid: 123, progname: 'Web Content' });
    expect(() => parseConntrackEventLine(line.replace('portid=123', 'portid=x'))).toThrow(TextParseError);
  });

  it('parses -E -o timestamp,ktimestamp,id with the print time and the stop time', () => {
    const events = lines('events-timestamp.txt').map((line) => parseConntrackEventLine(line));
    expect(events.every((e) => (e.printedAtMicros ?? 0) > 1_600_000_000_000_000)).toBe(true);
    const destroy = events.at(-1);
    expect(destroy?.type).toBe('DESTROY');
    expect(destroy?.flow.timestampStop).toBeTypeOf('bigint');
    expect(destroy?.flow.countersOrig?.packets).toBeGreaterThan(0n);
    expect(destroy?.flow.family).toBe('ipv4');
  });
});

describe('stats and count', () => {
  it('parses -S', () => {
    const stats = parseConntrackStats(fixture('stats.txt'));
    expect(stats.map((s) => s.cpu)).toEqual([0, 1]);
    expect(Object.keys(stats[0] ?? {})).toEqual(['cpu', 'found', 'invalid', 'insert', 'insert_failed', 'drop', 'early_drop', 'error', 'search_restart', 'clash_resolve', 'chaintoolong']);
    expect(parseConntrackStats('cpu=3   \tfound=1 new=5 insert=2 unknown1=9 \n')).toEqual([{ cpu: 3, found: 1, insert: 2 }]);
  });
  it('parses -C', () => {
    expect(parseConntrackCount(fixture('count.txt'))).toBeGreaterThan(0);
    expect(() => parseConntrackCount('many')).toThrow(TextParseError);
  });
});

describe('hand-built flows print and read back', () => {
  const bits = (...names: (typeof STATUS_BITS)[number][]) => names.reduce((b, n) => b | (1 << STATUS_BITS.indexOf(n)), 0);
  const base = { timeout: 300, mark: 7, use: 2, id: 42 };
  const flows: Flow[] = [
    {
      family: 'ipv4', proto: 'sctp', protoNum: 132, state: 'COOKIE_WAIT', ...base,
      orig: { src: '10.0.0.1', dst: '10.0.0.2', protoNum: 132, sport: 5000, dport: 6000, zone: 4 },
      reply: { src: '10.0.0.2', dst: '10.0.0.1', protoNum: 132, sport: 6000, dport: 5000, zone: 5 },
      status: ['SEEN_REPLY', 'CONFIRMED', 'OFFLOAD'], statusBits: bits('SEEN_REPLY', 'CONFIRMED', 'OFFLOAD'),
      zone: 9, helper: 'ftp', secctx: 'system_u:object_r:unlabeled_t:s0', labels: [1, 5],
    },
    {
      family: 'ipv6', proto: 'gre', protoNum: 47, ...base,
      orig: { src: 'fd00::1', dst: 'fd00::2', protoNum: 47, sport: 0x10, dport: 0xabc },
      reply: { src: 'fd00::2', dst: 'fd00::1', protoNum: 47, sport: 0xabc, dport: 0x10 },
      status: ['SEEN_REPLY', 'CONFIRMED', 'OFFLOAD', 'HW_OFFLOAD'], statusBits: bits('SEEN_REPLY', 'CONFIRMED', 'OFFLOAD', 'HW_OFFLOAD'),
      timestampStart: 1_700_000_000_000_000_000n, timestampStop: 1_700_000_065_000_000_000n,
    },
    {
      family: 'ipv4', proto: 'unknown', protoNum: 50, ...base,
      orig: { src: '10.0.0.1', dst: '10.0.0.2', protoNum: 50 },
      reply: { src: '10.0.0.2', dst: '10.0.0.1', protoNum: 50 },
      status: ['CONFIRMED'], statusBits: bits('CONFIRMED'),
    },
  ];
  it.each(flows.map((f) => [f.proto, f] as const))('%s', (_name, flow) => {
    const line = formatFlowExtended(flow, { ktimestamp: true });
    expect(parseConntrackLine(line)).toEqual(flow);
    expect(formatFlowPlain(parseConntrackLine(formatFlowPlain(flow)))).toBe(formatFlowPlain(flow));
  });
  it('pads names like conntrack', () => {
    expect(formatFlowExtended(flows[0] as Flow).startsWith('ipv4     2 sctp     132 300 COOKIE_WAIT src=10.0.0.1')).toBe(true);
    expect(formatFlowExtended(flows[1] as Flow)).toContain('srckey=0x10 dstkey=0xabc');
    expect(formatFlowExtended(flows[1] as Flow)).toContain('[HW_OFFLOAD] mark=7 delta-time=65 use=2 id=42');
    expect(formatFlowPlain(flows[2] as Flow)).toBe('unknown  50 300 src=10.0.0.1 dst=10.0.0.2 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 mark=7 use=2');
  });
});

describe('malformed lines', () => {
  const good = 'ipv4     2 udp      17 29 src=127.0.0.1 dst=127.0.0.1 sport=1 dport=2 src=127.0.0.1 dst=127.0.0.1 sport=2 dport=1 mark=0 use=1';
  it.each<[string, string, RegExp]>([
    ['empty', '', /protocol name/],
    ['bad protocol', good.replace('udp     ', 'xdp     '), /protocol name/],
    ['number mismatch', good.replace(' 17 ', ' 6 '), /not number 6/],
    ['family number', good.replace('ipv4     2', 'ipv4     10'), /expected 2 after ipv4/],
    ['bad address', good.replace('src=127.0.0.1', 'src=127.0.0.x'), /IP address in src=/],
    ['port range', good.replace('sport=1 ', 'sport=70000 '), /sport/],
    ['missing dport', good.replace(' dport=2', ''), /expected dport=/],
    ['unknown field', `${good} weird=1`, /unexpected field weird=/],
    ['twice', `${good} use=2`, /use= given twice/],
    ['unclosed bracket', `${good} [start=Wed`, /"]"/],
    ['bad date', `${good} [start=yesterday]`, /ctime/],
  ])('%s', (_name, line, message) => {
    let error: unknown;
    try {
      parseConntrackLine(line);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(TextParseError);
    expect((error as TextParseError).message).toMatch(message);
    expect((error as TextParseError).line).toBe(line);
    expect((error as TextParseError).position).toBeGreaterThanOrEqual(0);
  });

  it('points at the offending token', () => {
    const line = good.replace('sport=1 ', 'sport=x ');
    try {
      parseConntrackLine(line);
    } catch (err) {
      expect((err as TextParseError).position).toBe(line.indexOf('sport=x'));
    }
    expect.assertions(1);
  });

  it('rejects an event line without a type', () => {
    expect(() => parseConntrackEventLine(good)).toThrow(/\[NEW\]/);
  });
});
