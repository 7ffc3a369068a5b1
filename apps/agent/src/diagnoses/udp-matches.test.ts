import type { Flow } from '@ctscope/conntrack';
import { describe, expect, it } from 'vitest';
import { FlowTable } from '../mirror/flow-table';
import { compileQuery } from '../query/compile-query';
import { compileRowFilter } from '../query/row-filter';
import { countMatches, matchQuery, type UdpMatch } from './udp-matches';

/** Entries to 3 service addresses on 2 ports, DNATed to 3 backends, some unreplied, some TCP. */
function table(): FlowTable {
  const t = new FlowTable();
  for (let i = 0; i < 600; i++) {
    const proto = i % 11 === 0 ? 'tcp' : 'udp';
    const protoNum = proto === 'tcp' ? 6 : 17;
    const dst = `10.96.0.${i % 3}`;
    const dport = i % 5 === 0 ? 5353 : 53;
    const backend = `10.244.0.${(i >> 2) % 3}`;
    const replied = i % 4 !== 0;
    const sport = 1000 + (i % 97);
    const flow: Flow = {
      family: 'ipv4',
      proto,
      protoNum,
      orig: { src: `10.0.${i % 7}.1`, dst, protoNum, sport, dport },
      reply: { src: backend, dst: `10.0.${i % 7}.1`, protoNum, sport: dport, dport: sport },
      status: replied ? ['SEEN_REPLY', 'CONFIRMED'] : ['CONFIRMED'],
      statusBits: replied ? 10 : 8,
      id: i + 1,
    };
    t.set(flow, 0, true);
  }
  return t;
}

describe('counting UDP delete queries in one pass', () => {
  it('selects what the connections filter selects for the same query text', () => {
    const t = table();
    const matches: UdpMatch[] = [];
    for (const dst of ['10.96.0.0', '10.96.0.2', '10.96.0.9'])
      for (const replySrc of ['10.244.0.1', '10.244.0.2'])
        for (const unreplied of [false, true]) matches.push({ ipv6: false, dst, dport: 53, replySrc, unreplied }, { ipv6: false, dst, dport: 5353, replySrc, unreplied, sport: 1005 });
    const counted = countMatches(t, matches);
    let nonZero = 0;
    matches.forEach((m, i) => {
      const compiled = compileQuery(matchQuery(m));
      if (!compiled.ok) throw new Error(compiled.message);
      const match = compileRowFilter(compiled.filter, t);
      let expected = 0;
      for (let row = 0; row < t.size; row++) if (match(row)) expected++;
      expect(counted[i]?.count, matchQuery(m)).toBe(expected);
      expect(counted[i]?.keys.size).toBe(expected);
      if (expected > 0) nonZero++;
    });
    expect(nonZero).toBeGreaterThanOrEqual(6);
  });

  it('IPv6: the query text parses and selects the same entries', () => {
    const t = new FlowTable();
    const v6 = (id: number, sport: number, backend: string, replied: boolean): Flow => ({
      family: 'ipv6',
      proto: 'udp',
      protoNum: 17,
      orig: { src: 'fd00::1', dst: 'fd00:96::a', protoNum: 17, sport, dport: 53 },
      reply: { src: backend, dst: 'fd00::1', protoNum: 17, sport: 53, dport: sport },
      status: replied ? ['SEEN_REPLY', 'CONFIRMED'] : ['CONFIRMED'],
      statusBits: replied ? 10 : 8,
      id,
    });
    for (const f of [v6(1, 1000, 'fd00:244::1', true), v6(2, 1001, 'fd00:244::1', false), v6(3, 1002, 'fd00:244::2', true)]) t.set(f, 0, true);
    const m: UdpMatch = { ipv6: true, dst: 'fd00:96::a', dport: 53, replySrc: 'fd00:244::1', unreplied: false };
    expect(matchQuery(m)).toBe('ipv6 udp dst:fd00:96::a dport:53 reply-src:fd00:244::1');
    const compiled = compileQuery(matchQuery(m));
    if (!compiled.ok) throw new Error(compiled.message);
    const match = compileRowFilter(compiled.filter, t);
    expect([0, 1, 2].filter((row) => match(row))).toHaveLength(2);
    expect(countMatches(t, [m, { ...m, unreplied: true }]).map((r) => r.count)).toEqual([2, 1]);
  });
});
