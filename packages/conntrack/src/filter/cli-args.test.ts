import { describe, expect, it } from 'vitest';
import { parseConntrackArgs, printConntrackArgs } from './cli-args';
import { FilterArgsError, FilterNotExpressibleError, type FlowFilter } from './types';

describe('parseConntrackArgs / printConntrackArgs', () => {
  it.each<[string[], FlowFilter]>([
    [[], {}],
    [['-p', 'tcp'], { proto: 6 }],
    [['-p', '50'], { proto: 50 }],
    [['-f', 'ipv6'], { family: 'ipv6' }],
    [['-s', '10.0.0.0/8'], { src: '10.0.0.0/8' }],
    [['-d', 'fd00::/64'], { dst: 'fd00::/64' }],
    [['-r', '10.0.0.1', '-q', '10.0.0.2'], { replySrc: '10.0.0.1', replyDst: '10.0.0.2' }],
    [['-p', 'udp', '--sport', '53', '--dport', '5353'], { proto: 17, sport: { min: 53, max: 53 }, dport: { min: 5353, max: 5353 } }],
    [['-p', 'tcp', '--reply-port-src', '80', '--reply-port-dst', '1000'], { proto: 6, replySport: { min: 80, max: 80 }, replyDport: { min: 1000, max: 1000 } }],
    [['-p', 'tcp', '--state', 'ESTABLISHED'], { proto: 6, states: ['ESTABLISHED'] }],
    [['-p', 'sctp', '--state', 'COOKIE_WAIT'], { proto: 132, states: ['COOKIE_WAIT'] }],
    [['-u', 'SEEN_REPLY,ASSURED'], { statusRequired: ['SEEN_REPLY', 'ASSURED'] }],
    [['-u', 'UNREPLIED,!ASSURED'], { statusForbidden: ['SEEN_REPLY', 'ASSURED'] }],
    [['-m', '16'], { mark: { value: 16, mask: 0xffffffff } }],
    [['-m', '0x10/0xff'], { mark: { value: 16, mask: 255 } }],
    [['-w', '3'], { zone: 3 }],
    [['-n'], { nat: 'snat' }],
    [['-g'], { nat: 'dnat' }],
    [['-n', '-g'], { nat: 'both' }],
    [['-j'], { nat: 'any' }],
    [
      ['-f', 'ipv4', '-p', 'tcp', '-s', '10.0.0.0/8', '-d', '192.168.1.1', '--dport', '443', '--state', 'TIME_WAIT', '-u', 'ASSURED', '-m', '0x1/0x1', '-w', '7', '-j'],
      { family: 'ipv4', proto: 6, src: '10.0.0.0/8', dst: '192.168.1.1', dport: { min: 443, max: 443 }, states: ['TIME_WAIT'], statusRequired: ['ASSURED'], mark: { value: 1, mask: 1 }, zone: 7, nat: 'any' },
    ],
  ])('%j round-trips', (argv, filter) => {
    expect(parseConntrackArgs(argv)).toEqual(filter);
    expect(printConntrackArgs(filter)).toEqual(argv);
    expect(parseConntrackArgs(printConntrackArgs(filter))).toEqual(filter);
  });

  it.each<[string[], FlowFilter]>([
    [['--proto=udp', '--orig-port-src=53'], { proto: 17, sport: { min: 53, max: 53 } }],
    [['-ptcp', '--orig-src', '10.1.2.3/16'], { proto: 6, src: '10.1.0.0/16' }],
    [['--src', '10.0.0.1/32'], { src: '10.0.0.1' }],
    [['-u', 'assured'], { statusRequired: ['ASSURED'] }],
    [['-u', 'ASS'], { statusRequired: ['ASSURED'] }],
    [['-u', '!SEEN_REPLY'], { statusForbidden: ['SEEN_REPLY'] }],
    [['-u', 'SEEN_REPLY,!ASSURED'], { statusRequired: ['SEEN_REPLY'], statusForbidden: ['ASSURED'] }],
    [['-p', 'tcp', '--state', 'LISTEN'], { proto: 6, states: ['SYN_SENT2'] }],
    [['-m', '010'], { mark: { value: 8, mask: 0xffffffff } }],
    [['--src-nat', '--dst-nat'], { nat: 'both' }],
    [['-p', 'ipv6-icmp'], { proto: 58 }],
  ])('%j parses like conntrack', (argv, filter) => {
    expect(parseConntrackArgs(argv)).toEqual(filter);
  });

  it.each<[string[], number, RegExp]>([
    [['--sport', '80'], 0, /needs -p/],
    [['-p', 'icmp', '--dport', '80'], 2, /needs -p with a protocol that has ports/],
    [['-p', 'udp', '--state', 'ESTABLISHED'], 2, /has states/],
    [['-p', 'tcp', '--state', 'established'], 3, /expected a state/],
    [['-p', 'tcp', '--dport', '99999'], 3, /port must be 0-65535/],
    [['-s', '10.0.0.300'], 1, /IPv4 or IPv6/],
    [['-r', '10.0.0.0/8'], 1, /CIDR notation is not available for -r/],
    [['-f', 'ipv6', '-s', '10.0.0.1'], 3, /mismatched address family/],
    [['-s', '10.0.0.1', '-d', '::1'], 3, /mismatched address family/],
    [['-f', 'inet'], 1, /ipv4 or ipv6/],
    [['-u', 'CONFIRMED'], 1, /expected status names/],
    [['-u', 'UNSET'], 1, /UNSET/],
    [['-u', 'SRC_NAT'], 1, /--src-nat/],
    [['-u', 'ASSURED,,X'], 1, /empty/],
    [['-m', 'x'], 1, /expected a number/],
    [['-w', '70000'], 1, /zone must be 0-65535/],
    [['-n', '-j'], 1, /any-nat/],
    [['-n', '10.0.0.1'], 1, /NAT address/],
    [['-p'], 0, /requires an argument/],
    [['-L'], 0, /expected a conntrack filter option/],
    [['-p', 'tcp', '-p', 'udp'], 2, /given twice/],
  ])('%j fails at argv[%i]', (argv, index, message) => {
    let error: unknown;
    try {
      parseConntrackArgs(argv);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(FilterArgsError);
    const argsError = error as FilterArgsError;
    expect(argsError.index).toBe(index);
    expect(argsError.arg).toBe(argv[index]);
    expect(argsError.message).toMatch(message);
  });

  it.each<[FlowFilter, keyof FlowFilter]>([
    [{ text: ['x'] }, 'text'],
    [{ proto: 6, dport: { min: 1, max: 2 } }, 'dport'],
    [{ dport: { min: 1, max: 1 } }, 'proto'],
    [{ proto: 6, states: ['ESTABLISHED', 'CLOSE'] }, 'states'],
    [{ replySrc: '10.0.0.0/8' }, 'replySrc'],
    [{ statusRequired: ['CONFIRMED'] }, 'statusRequired'],
    [{ statusRequired: ['ASSURED'], statusForbidden: ['SEEN_REPLY'] }, 'statusForbidden'],
  ])('%j cannot be printed for the CLI', (filter, field) => {
    expect(() => printConntrackArgs(filter)).toThrow(FilterNotExpressibleError);
    try {
      printConntrackArgs(filter);
    } catch (err) {
      expect((err as FilterNotExpressibleError).field).toBe(field);
    }
  });
});
