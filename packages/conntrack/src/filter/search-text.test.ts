import { describe, expect, it } from 'vitest';
import { flowSearchText, searchTextPredicate } from './search-text';
import { makeFlow } from './test-flows';
import { prng } from './test-random';

const web = makeFlow({ orig: { src: '10.1.2.3', dst: '192.168.0.10', sport: 40000, dport: 443 }, state: 'ESTABLISHED', mark: 0x1234, id: 1 });
const ping6 = makeFlow({
  protoNum: 58,
  orig: { src: 'fd00::1', dst: 'fd00::2', icmpType: 128, icmpCode: 0, icmpId: 7 },
  reply: { src: 'fd00::2', dst: 'fd00::1', icmpType: 129, icmpCode: 0, icmpId: 7 },
  status: ['SEEN_REPLY', 'CONFIRMED'],
  zone: 3,
  id: 3,
});
const wide = makeFlow({ protoNum: 17, status: [], orig: { src: '10.9.9.9', dst: '10.8.8.8', sport: 65535, dport: 1 }, mark: 0xffffffff, zone: 65535, id: 4_294_967_290 });
const odd = { ...makeFlow({ protoNum: 200, orig: { src: '10.0.0.1', dst: '10.0.0.2' }, status: [], helper: 'FTP-Σίγμα' }), secctx: 'system_u:Object_r' };

describe('flowSearchText', () => {
  it('is what a conntrack -L line shows, lower-cased', () => {
    expect(flowSearchText(web)).toBe(
      'ipv4 tcp established src=10.1.2.3 dst=192.168.0.10 sport=40000 dport=443 src=192.168.0.10 dst=10.1.2.3 sport=443 dport=40000 seen_reply assured confirmed mark=4660 id=1',
    );
    expect(flowSearchText(ping6)).toBe(
      'ipv6 icmpv6  src=fd00::1 dst=fd00::2 type=128 code=0 id=7 src=fd00::2 dst=fd00::1 type=129 code=0 id=7 seen_reply confirmed mark=0 zone=3 id=3',
    );
    expect(flowSearchText(odd)).toBe('ipv4 200  src=10.0.0.1 dst=10.0.0.2 src=10.0.0.2 dst=10.0.0.1  mark=0 helper=ftp-σίγμα secctx=system_u:object_r');
  });
});

describe('searchTextPredicate', () => {
  const flows = [web, ping6, odd, wide];

  it('finds terms inside fields, across field boundaries and in any case', () => {
    const hits = (...terms: string[]) => flows.filter(searchTextPredicate(terms)).map((f) => flowSearchText(f).slice(0, 9));
    expect(hits('443')).toEqual(['ipv4 tcp ']);
    expect(hits('0.10 sport=40000')).toEqual(['ipv4 tcp ']);
    expect(hits('ESTABLISHED src=10')).toEqual(['ipv4 tcp ']);
    expect(hits('id=7 src=fd00::2')).toEqual(['ipv6 icmp']);
    expect(hits('confirmed', 'zone=3')).toEqual(['ipv6 icmp']);
    expect(hits('σίγμα secctx=SYSTEM')).toEqual(['ipv4 200 ']);
    expect(hits('confirmed')).toHaveLength(2);
    expect(hits('')).toHaveLength(4);
    expect(hits('mark=4294967295 zone=65535 id=4294967290')).toEqual(['ipv4 udp ']);
    expect(hits('443', 'zone=3')).toEqual([]);
  });

  it('agrees with searching the built string, for every substring and for near misses', () => {
    const rand = prng(42);
    for (const flow of flows) {
      const text = flowSearchText(flow);
      for (let i = 0; i < 400; i++) {
        const start = Math.floor(rand() * text.length);
        const term = text.slice(start, start + 1 + Math.floor(rand() * 24));
        const missed = term.slice(0, -1) + String.fromCharCode(((term.charCodeAt(term.length - 1) - 32 + 1) % 95) + 32);
        const partial = term.slice(0, Math.max(1, term.length >> 1)) + term;
        for (const candidate of [term, term.toUpperCase(), missed, partial]) {
          expect(searchTextPredicate([candidate])(flow), `${JSON.stringify(candidate)} in ${text}`).toBe(text.includes(candidate.toLowerCase()));
        }
      }
    }
  });
});
