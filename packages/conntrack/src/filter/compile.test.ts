import { describe, expect, it } from 'vitest';
import { compileFilter, matchFlow } from './compile';
import { kernelPart } from './kernel';
import { parseQuery } from './query';
import { makeFlow } from './test-flows';
import type { FlowFilter } from './types';

const web = makeFlow({ orig: { src: '10.1.2.3', dst: '192.168.0.10', sport: 40000, dport: 443 }, state: 'ESTABLISHED', mark: 0x1234, id: 1 });
const dns = makeFlow({ protoNum: 17, orig: { src: '10.9.9.9', dst: '8.8.8.8', sport: 5353, dport: 53 }, status: ['CONFIRMED'], id: 2 });
const ping6 = makeFlow({ protoNum: 58, orig: { src: 'fd00::1', dst: 'fd00::2', icmpType: 128, icmpCode: 0, icmpId: 7 }, reply: { src: 'fd00::2', dst: 'fd00::1', icmpType: 129, icmpCode: 0, icmpId: 7 }, status: ['SEEN_REPLY', 'CONFIRMED'], zone: 3, id: 3 });
const snat = makeFlow({
  orig: { src: '10.0.0.5', dst: '1.1.1.1', sport: 1000, dport: 80 },
  reply: { src: '1.1.1.1', dst: '203.0.113.7', sport: 80, dport: 1000 },
  status: ['SEEN_REPLY', 'ASSURED', 'CONFIRMED', 'SRC_NAT', 'SRC_NAT_DONE', 'DST_NAT_DONE'],
  state: 'TIME_WAIT',
  id: 4,
});
const dnat = makeFlow({
  orig: { src: '10.0.0.6', dst: '127.0.0.1', sport: 2000, dport: 9999 },
  reply: { src: '127.0.0.1', dst: '10.0.0.6', sport: 8080, dport: 2000 },
  status: ['SEEN_REPLY', 'CONFIRMED', 'DST_NAT', 'SRC_NAT_DONE', 'DST_NAT_DONE'],
  state: 'LISTEN',
  helper: 'ftp',
  id: 5,
});
const all = [web, dns, ping6, snat, dnat];
const ids = (filter: FlowFilter) => all.filter(compileFilter(filter)).map((f) => f.id);

describe('compileFilter', () => {
  it.each<[string, FlowFilter, number[]]>([
    ['empty', {}, [1, 2, 3, 4, 5]],
    ['family', { family: 'ipv6' }, [3]],
    ['proto', { proto: 17 }, [2]],
    ['src cidr', { src: '10.0.0.0/8' }, [1, 2, 4, 5]],
    ['src cidr /16', { src: '10.1.0.0/16' }, [1]],
    ['src exact', { src: '10.9.9.9' }, [2]],
    ['dst v6 cidr', { dst: 'fd00::/64' }, [3]],
    ['v4 cidr never matches v6', { src: '0.0.0.0/0' }, [1, 2, 4, 5]],
    ['v6 /0', { src: '::/0' }, [3]],
    ['reply dst', { replyDst: '203.0.113.7' }, [4]],
    ['reply src cidr', { replySrc: '127.0.0.0/8' }, [5]],
    ['sport single', { sport: { min: 5353, max: 5353 } }, [2]],
    ['dport range', { dport: { min: 1, max: 1024 } }, [1, 2, 4]],
    ['reply sport', { replySport: { min: 8080, max: 8080 } }, [5]],
    ['ports never match icmp', { dport: { min: 0, max: 65535 } }, [1, 2, 4, 5]],
    ['state', { states: ['ESTABLISHED'] }, [1]],
    ['states any of', { states: ['ESTABLISHED', 'TIME_WAIT'] }, [1, 4]],
    ['SYN_SENT2 matches a flow read as LISTEN', { states: ['SYN_SENT2'] }, [5]],
    ['status required', { statusRequired: ['ASSURED'] }, [1, 4]],
    ['unreplied', { statusForbidden: ['SEEN_REPLY'] }, [2]],
    ['required and forbidden', { statusRequired: ['SEEN_REPLY'], statusForbidden: ['ASSURED'] }, [3, 5]],
    ['mark exact', { mark: { value: 0x1234, mask: 0xffffffff } }, [1]],
    ['mark masked', { mark: { value: 0x34, mask: 0xff } }, [1]],
    ['mark value outside mask never matches', { mark: { value: 0x1234, mask: 0xff } }, []],
    ['mark zero', { mark: { value: 0, mask: 0xffffffff } }, [2, 3, 4, 5]],
    ['zone', { zone: 3 }, [3]],
    ['zone 0 matches entries without a zone', { zone: 0 }, [1, 2, 4, 5]],
    ['snat', { nat: 'snat' }, [4]],
    ['dnat (port rewrite)', { nat: 'dnat' }, [5]],
    ['both', { nat: 'both' }, []],
    ['any', { nat: 'any' }, [4, 5]],
    ['text', { text: ['8.8.8'] }, [2]],
    ['text is case-insensitive and AND-ed', { text: ['FTP', '9999'] }, [5]],
    ['combined', { proto: 6, src: '10.0.0.0/8', dport: { min: 443, max: 443 }, states: ['ESTABLISHED'], statusRequired: ['ASSURED'] }, [1]],
  ])('%s', (_name, filter, expected) => {
    expect(ids(filter)).toEqual(expected);
  });

  it('matchFlow agrees with compileFilter', () => {
    const filter = parseQuery('tcp src:10.0.0.0/8 assured');
    for (const flow of all) expect(matchFlow(filter, flow)).toBe(compileFilter(filter)(flow));
  });

  it('rejects a non-canonical address', () => {
    expect(() => compileFilter({ src: '10.0.0.300' })).toThrow(TypeError);
  });
});

describe('kernelPart', () => {
  it('keeps family, mark, status and zone only', () => {
    const filter = parseQuery('ipv4 tcp dport:80 assured unreplied mark:0x10/0xff zone:2 "x"');
    expect(kernelPart(filter)).toEqual({ family: 'ipv4', mark: { value: 0x10, mask: 0xff }, status: { value: 4, mask: 6 }, zone: 2 });
  });
  it('derives the family from an address filter', () => {
    expect(kernelPart(parseQuery('src:fd00::/8'))).toEqual({ family: 'ipv6' });
    expect(kernelPart(parseQuery('udp'))).toEqual({});
  });
});
