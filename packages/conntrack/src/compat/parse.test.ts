import { describe, expect, it } from 'vitest';
import type { Flow } from '../flow';
import { parseBatch, splitBatchLine } from './batch';
import { isConntrackCommandLine } from './options';
import { CompatError, parseCommandLine } from './parse';
import { formatSaveLine } from './save';

const words = (line: string) => line.split(' ').filter(Boolean);
const parse = (line: string) => parseCommandLine(words(line));
/** The exit code and message conntrack 1.4.7 gives a command line it refuses. */
function refusal(line: string): [number, string] {
  try {
    parse(line);
  } catch (err) {
    if (err instanceof CompatError) return [err.exitCode, err.message];
    throw err;
  }
  throw new Error(`"${line}" was accepted`);
}

describe("conntrack 1.4.7's command line", () => {
  it('names what is missing or illegal as conntrack does, with exit 2', () => {
    expect(refusal('-I -s 1.1.1.1 -d 2.2.2.2 -p tcp --dport 20 --state LISTEN -t 50')).toEqual([2, "you have to specify `--sport' and `--dport'"]);
    expect(refusal('-I -s 1.1.1.1 -p tcp --sport 1 --dport 2 --state LISTEN -t 50')).toEqual([2, "you have to specify `--src' and `--dst'"]);
    expect(refusal('-I -s 1.1.1.1 -d 2.2.2.2 --sport 10 --dport 20 -t 50')).toEqual([2, "unknown option `--sport'"]);
    expect(refusal('-I -s 1.1.1.1 -d 2.2.2.2 -p tcp --sport 1 --dport 2 --state LISTEN')).toEqual([2, "You need to supply the `--timeout' option for this command"]);
    expect(refusal('-L -t 10')).toEqual([2, "Illegal option `--timeout' with this command"]);
    expect(refusal('-L -s 2.2.2.2 -d ::1')).toEqual([2, 'mismatched address family']);
    expect(refusal('-L --src-nat --any-nat')).toEqual([2, "cannot specify `--src-nat' or `--dst-nat' with `--any-nat'"]);
    expect(refusal('-L --dst-nat 1.1.1.1:')).toEqual([2, "No port specified after `:'"]);
    expect(refusal('-L --dst-nat 1.1.1.1:65536')).toEqual([2, "Invalid port `65536'"]);
    expect(refusal('-L --dst-nat [2001:db8::1]:80:80')).toEqual([2, "Invalid port `80:80'"]);
    expect(refusal('-I -t 1 -s 0.0.0.0 -d 1.1.1.1 -p 256')).toEqual([2, "`256' unsupported protocol"]);
    expect(refusal('-I -t 1 -s 0.0.0.0 -d 1.1.1.1 -p 20foo')).toEqual([2, "`20foo' unsupported protocol"]);
    expect(refusal('-L -r 1.1.1.0/24')).toEqual([2, "CIDR notation unavailable for `--reply-src'"]);
    expect(refusal('-L -o save,id')).toEqual([1, 'cannot combine save output with any other output type, use -o save only']);
    expect(refusal('-I -L')).toEqual([2, 'Invalid commands combination']);
    expect(refusal('-s 1.1.1.1')).toEqual([2, "Illegal option `--src' with this command"]);
  });

  it('reads protocols by name, from /etc/protocols and as numbers, and their own options after -p', () => {
    expect(parse('-L -p TCP --dport 443').orig.dport).toBe(443);
    expect(parse('-I -t 9 -s 0.0.0.0 -d 224.0.0.22 -p igmp').proto?.num).toBe(2);
    expect(parse('-I -t 9 -s 0.0.0.0 -d 224.0.0.22 -p 0x11 --sport 1 --dport 2').proto?.handler?.name).toBe('udp');
    const ping = parse('-I -t 29 -s 1.1.1.1 -d 2.2.2.2 -p icmp --icmp-type 8 --icmp-code 0 --icmp-id 1226');
    expect([ping.orig.icmpType, ping.orig.icmpCode, ping.orig.icmpId]).toEqual([8, 0, 1226]);
    expect(parse('-L -p tcp --state LISTEN').state).toBe(9);
  });

  it('takes masks, zones, marks, NAT addresses and abbreviated long options', () => {
    const masked = parse('-L -s 1.1.1.7/24');
    expect(masked.srcMask?.words).toEqual([0xffffff00]);
    expect(parse('-L -s abcd:: --mask-src ffff::').family).toBe('ipv6');
    expect(parse('--dump --orig-zone 2').origZone).toBe(2);
    expect(parse('-L -w 10-s').zone).toBe(10); // 1.4.7 reads the number with strtoul and ignores the rest
    expect(parse('-U -s 1.1.1.1 -m 0/0xffff0000').mark).toEqual({ value: 0, mask: 0xffff0000 });
    expect(parse('-L --dst-nat [2001:db8::3]:80').dnat?.port).toBe(80);
    expect(parse('--coun').command).toBe('count');
    expect(parse('-L -u UNREPLIED').statusFilter).toEqual({ value: 0, mask: 2 });
    expect(parse('conntrack -L -p tcp').command).toBe('list');
  });

  it('sends conntrack command lines to the compatibility layer and keeps ctscope flags', () => {
    expect(isConntrackCommandLine(['-L'])).toBe(true);
    expect(isConntrackCommandLine(['conntrack', '-I'])).toBe(true);
    expect(isConntrackCommandLine(['--coun'])).toBe(true);
    expect(isConntrackCommandLine(['--help'])).toBe(false);
    expect(isConntrackCommandLine(['--version'])).toBe(false);
    expect(isConntrackCommandLine(['list'])).toBe(false);
  });
});

describe('batches (-R)', () => {
  it('split lines like conntrack: blanks, double quotes, escapes inside quotes', () => {
    expect(splitBatchLine('-I  -s 1.1.1.1\t-d 2.2.2.2\n')).toEqual(['-I', '-s', '1.1.1.1', '-d', '2.2.2.2']);
    expect(splitBatchLine('-L -l "a b" -x "c\\"d"')).toEqual(['-L', '-l', 'a b', '-x', 'c"d']);
  });

  it('parse every line first: blank and comment lines are skipped, a command batches cannot hold runs nothing', () => {
    const batch = parseBatch('  \n\t\n# note\n-I -s 1.1.1.1 -d 2.2.2.2 -p tcp --sport 1 --dport 2 --state LISTEN -t 5\n-D -s 1.1.1.1\n');
    expect(batch.steps).toHaveLength(2);
    expect(batch.messages.length).toBeGreaterThan(100);
    expect(() => parseBatch('-I -s 1.1.1.1 -d 2.2.2.2 -p tcp --sport 1 --dport 2 --state LISTEN -t 5\n-L\n')).toThrow("Cannot use command `-L' with --load-file");
    expect(() => parseBatch('-L expect\n')).toThrow("Cannot use command `-L expect' with --load-file");
  });
});

describe('-o save', () => {
  it('writes the line that recreates an entry, NAT as -g/-n, unknown protocols as numbers', () => {
    const flow = {
      family: 'ipv4',
      proto: 'tcp',
      protoNum: 6,
      orig: { src: '1.1.1.1', dst: '2.2.2.2', protoNum: 6, sport: 10, dport: 20 },
      reply: { src: '3.3.3.3', dst: '1.1.1.1', protoNum: 6, sport: 20, dport: 10 },
      status: ['SEEN_REPLY', 'CONFIRMED'],
      statusBits: 0b1010,
      state: 'SYN_SENT2',
      timeout: 49,
      zone: 10,
    } as Flow;
    expect(formatSaveLine(flow, '-A')).toBe('-A -t 49 -u SEEN_REPLY -w 10 -s 1.1.1.1 -d 2.2.2.2 -g 3.3.3.3 -q 1.1.1.1 -p tcp --sport 10 --dport 20 --reply-port-src 20 --reply-port-dst 10 --state SYN_SENT2');
    const igmp = { ...flow, proto: 'unknown', protoNum: 2, orig: { src: '0.0.0.0', dst: '224.0.0.22', protoNum: 2 }, reply: { src: '224.0.0.22', dst: '0.0.0.0', protoNum: 2 }, statusBits: 8, zone: undefined } as unknown as Flow;
    expect(formatSaveLine(igmp, '-D')).toBe('-D -t 49 -u UNSET -s 0.0.0.0 -d 224.0.0.22 -r 224.0.0.22 -q 0.0.0.0 -p 2');
  });
});
