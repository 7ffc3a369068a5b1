import { describe, expect, it } from 'vitest';
import { parseConntrackArgs, printConntrackArgs } from './cli-args';
import { parseQuery, printQuery } from './query';
import { FilterSyntaxError, type FlowFilter } from './types';

describe('parseQuery / printQuery', () => {
  it.each<[string, FlowFilter]>([
    ['', {}],
    ['tcp', { proto: 6 }],
    ['ipv6', { family: 'ipv6' }],
    ['ipv4 icmp', { family: 'ipv4', proto: 1 }],
    ['proto:50', { proto: 50 }],
    ['tcp src:10.0.0.0/8 dport:443 state:established unreplied', { proto: 6, src: '10.0.0.0/8', dport: { min: 443, max: 443 }, states: ['ESTABLISHED'], statusForbidden: ['SEEN_REPLY'] }],
    ['udp sport:1000-2000', { proto: 17, sport: { min: 1000, max: 2000 } }],
    ['dst:fd00::/64 reply-src:10.0.0.1 reply-dst:10.0.0.0/24', { dst: 'fd00::/64', replySrc: '10.0.0.1', replyDst: '10.0.0.0/24' }],
    ['reply-sport:80 reply-dport:1-1023', { replySport: { min: 80, max: 80 }, replyDport: { min: 1, max: 1023 } }],
    ['state:syn_sent,established,time_wait', { states: ['SYN_SENT', 'ESTABLISHED', 'TIME_WAIT'] }],
    ['seen_reply assured !offload', { statusRequired: ['SEEN_REPLY', 'ASSURED'], statusForbidden: ['OFFLOAD'] }],
    ['confirmed !dying', { statusRequired: ['CONFIRMED'], statusForbidden: ['DYING'] }],
    ['mark:16', { mark: { value: 16, mask: 0xffffffff } }],
    ['mark:0x10/0xff zone:3 snat', { mark: { value: 16, mask: 255 }, zone: 3, nat: 'snat' }],
    ['snat dnat', { nat: 'both' }],
    ['nat', { nat: 'any' }],
    ['dnat', { nat: 'dnat' }],
    ['foo 10.0.0 ::1', { text: ['foo', '10.0.0', '::1'] }],
    ['"free text" "tcp" "a\\"b\\\\c" "x:y" "!x"', { text: ['free text', 'tcp', 'a"b\\c', 'x:y', '!x'] }],
  ])('%j round-trips', (query, filter) => {
    expect(parseQuery(query)).toEqual(filter);
    expect(printQuery(filter)).toBe(query);
    expect(parseQuery(printQuery(filter))).toEqual(filter);
  });

  it.each<[string, FlowFilter]>([
    ['TCP  DPORT:443', { proto: 6, dport: { min: 443, max: 443 } }],
    ['src:10.1.2.3/8', { src: '10.0.0.0/8' }],
    ['src:FD00:0:0::1', { src: 'fd00::1' }],
    ['!unreplied', { statusRequired: ['SEEN_REPLY'] }],
    ['state:listen', { states: ['SYN_SENT2'] }],
    ['family:ipv6 proto:tcp', { family: 'ipv6', proto: 6 }],
    ['fe80::1 fe::1', { text: ['fe80::1', 'fe::1'] }],
  ])('%j is read leniently', (query, filter) => {
    expect(parseQuery(query)).toEqual(filter);
  });

  it.each<[string, string, number, number, RegExp]>([
    ['tcp dport:99999', '99999', 10, 15, /port must be 0-65535/],
    ['sport:2000-1000', '2000-1000', 6, 15, /low to high/],
    ['src:10.0.0.0/33', '10.0.0.0/33', 4, 15, /prefix length must be 0-32/],
    ['  dst:nothing', 'nothing', 6, 13, /IPv4 or IPv6/],
    ['dprot:443', 'dprot:443', 0, 9, /unknown key "dprot:"/],
    ['state:bogus', 'bogus', 6, 11, /expected a state/],
    ['udp state:established', 'established', 10, 21, /protocol udp has no states/],
    ['sctp state:time_wait', 'time_wait', 11, 20, /expected a sctp state/],
    ['icmp dport:80', 'dport:80', 5, 13, /needs a protocol with ports/],
    ['tcp udp', 'udp', 4, 7, /given twice/],
    ['assured !assured', '!assured', 8, 16, /both required and forbidden/],
    ['!bogus', '!bogus', 0, 6, /expected a status flag/],
    ['nat snat', 'snat', 4, 8, /cannot combine/],
    ['mark:0x1/zz', 'zz', 9, 11, /expected a number/],
    ['zone:70000', '70000', 5, 10, /zone must be 0-65535/],
    ['tcp dport:', 'dport:', 4, 10, /expected a value after dport:/],
    ['"open', '"open', 0, 5, /unterminated quote/],
    ['""', '""', 0, 2, /expected text/],
    ['ab"c"', 'ab"', 0, 3, /quotes must enclose/],
  ])('%j fails at %j [%i, %i)', (query, token, start, end, message) => {
    let error: unknown;
    try {
      parseQuery(query);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(FilterSyntaxError);
    const syntaxError = error as FilterSyntaxError;
    expect({ token: syntaxError.token, start: syntaxError.start, end: syntaxError.end }).toEqual({ token, start, end });
    expect(query.slice(start, end)).toBe(token);
    expect(syntaxError.expected).toMatch(message);
  });
});

describe('the two syntaxes mean the same', () => {
  it.each<[string, string[]]>([
    ['tcp', ['-p', 'tcp']],
    ['ipv6 udp dport:53', ['-f', 'ipv6', '-p', 'udp', '--dport', '53']],
    ['tcp src:10.0.0.0/8 dst:192.168.0.1 sport:1000 state:time_wait assured', ['-p', 'tcp', '-s', '10.0.0.0/8', '-d', '192.168.0.1', '--sport', '1000', '--state', 'TIME_WAIT', '-u', 'ASSURED']],
    ['reply-src:::1 reply-dst:::2', ['-r', '::1', '-q', '::2']],
    ['udp reply-sport:53 reply-dport:40000', ['-p', 'udp', '--reply-port-src', '53', '--reply-port-dst', '40000']],
    ['unreplied !assured', ['-u', 'UNREPLIED,!ASSURED']],
    ['mark:0x10/0xff zone:3 snat', ['-m', '0x10/0xff', '-w', '3', '-n']],
    ['snat dnat', ['-n', '-g']],
    ['nat', ['-j']],
    ['sctp state:cookie_echoed', ['-p', 'sctp', '--state', 'COOKIE_ECHOED']],
  ])('%j ≡ conntrack %j', (query, argv) => {
    const fromQuery = parseQuery(query);
    expect(parseConntrackArgs(argv)).toEqual(fromQuery);
    expect(printConntrackArgs(fromQuery)).toEqual(argv);
    expect(printQuery(parseConntrackArgs(argv))).toBe(query);
  });
});
