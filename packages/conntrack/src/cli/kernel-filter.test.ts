import { describe, expect, it } from 'vitest';
import { STATUS_BITS, type StatusFlag } from '../flow';
import { makeFlow } from '../filter/test-flows';
import { planKernelFilter } from './kernel-filter';
import { changedCount, flowCreateArgs, flowDeleteArgs, flowUpdateArgs } from './mutate';

const bit = (...flags: StatusFlag[]) => flags.reduce((b, f) => b | (1 << STATUS_BITS.indexOf(f)), 0);

describe('planKernelFilter', () => {
  it('passes family, mark and zone to the CLI and checks them again', () => {
    const plan = planKernelFilter({ family: 'ipv6', mark: { value: 16, mask: 0xf0 }, zone: 3 });
    expect(plan.args).toEqual(['-f', 'ipv6', '-m', '16/240', '-w', '3']);
    expect(plan.matches(makeFlow({ orig: { src: 'fd00::1', dst: 'fd00::2', sport: 1, dport: 2 }, mark: 0x1f, zone: 3 }))).toBe(true);
    expect(plan.matches(makeFlow({ orig: { src: 'fd00::1', dst: 'fd00::2', sport: 1, dport: 2 }, mark: 0x2f, zone: 3 }))).toBe(false);
    expect(plan.matches(makeFlow({ orig: { src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2 }, mark: 0x1f, zone: 3 }))).toBe(false);
  });

  it('names required or forbidden status bits for -u', () => {
    expect(planKernelFilter({ status: { value: bit('ASSURED'), mask: bit('ASSURED') } }).args).toEqual(['-u', 'ASSURED']);
    expect(planKernelFilter({ status: { value: 0, mask: bit('SEEN_REPLY', 'ASSURED') } }).args).toEqual(['-u', '!SEEN_REPLY,!ASSURED']);
  });

  it('keeps a mixed status list out of -u (conntrack 1.4.7 would match nothing) and checks it itself', () => {
    const plan = planKernelFilter({ status: { value: bit('SEEN_REPLY'), mask: bit('SEEN_REPLY', 'ASSURED') } });
    expect(plan.args).toEqual([]);
    expect(plan.matches(makeFlow({ orig: { src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2 }, status: ['SEEN_REPLY', 'CONFIRMED'] }))).toBe(true);
    expect(plan.matches(makeFlow({ orig: { src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2 }, status: ['SEEN_REPLY', 'ASSURED'] }))).toBe(false);
  });

  it('refuses status bits it can neither name nor see', () => {
    expect(() => planKernelFilter({ status: { value: bit('DYING'), mask: bit('DYING') } })).toThrow(/cannot filter status DYING/);
    expect(planKernelFilter({ status: { value: bit('EXPECTED'), mask: bit('EXPECTED') } }).args).toEqual(['-u', 'EXPECTED']);
  });
});

describe('flowDeleteArgs', () => {
  it('selects the original tuple and the id', () => {
    const tcp = makeFlow({ orig: { src: '10.0.0.1', dst: '10.0.0.2', sport: 1000, dport: 80 }, id: 77 });
    expect(flowDeleteArgs(tcp)).toEqual(['-D', '-f', 'ipv4', '-p', 'tcp', '-s', '10.0.0.1', '-d', '10.0.0.2', '--sport', '1000', '--dport', '80', '-i', '77']);
    const ping = makeFlow({ protoNum: 58, orig: { src: '::1', dst: '::2', icmpType: 128, icmpCode: 0, icmpId: 9 } });
    expect(flowDeleteArgs(ping)).toEqual(['-D', '-f', 'ipv6', '-p', 'icmpv6', '-s', '::1', '-d', '::2', '--icmp-type', '128', '--icmp-code', '0', '--icmp-id', '9']);
    expect(() => flowDeleteArgs(makeFlow({ orig: { src: '-x', dst: '10.0.0.2', sport: 1, dport: 2 } }))).toThrow(/unsafe address/);
    expect(changedCount('conntrack v1.4.7 (conntrack-tools): 3 flow entries have been deleted.\n', 'deleted')).toBe(3);
    expect(changedCount('conntrack: unknown option', 'deleted')).toBeNull();
  });

  it('builds -I and -U options', () => {
    const udp = makeFlow({ protoNum: 17, orig: { src: '10.0.0.1', dst: '10.0.0.2', sport: 1000, dport: 53 }, zone: 2, id: 5 });
    expect(flowCreateArgs({ family: 'ipv4', orig: udp.orig, reply: udp.reply, timeout: 100, mark: 7, statusBits: 1 << STATUS_BITS.indexOf('ASSURED') })).toEqual([
      '-I', '-p', 'udp', '-s', '10.0.0.1', '-d', '10.0.0.2', '--sport', '1000', '--dport', '53', '-r', '10.0.0.2', '-q', '10.0.0.1', '--reply-port-src', '53', '--reply-port-dst', '1000', '-t', '100', '-u', 'ASSURED', '-m', '7',
    ]);
    const tcp = makeFlow({ orig: { src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2 } });
    expect(flowCreateArgs({ family: 'ipv4', orig: tcp.orig, reply: tcp.reply, timeout: 5 })).toContain('--state');
    expect(flowCreateArgs({ family: 'ipv4', orig: tcp.orig, reply: tcp.reply, timeout: 5, statusBits: tcp.statusBits })).toContain('SEEN_REPLY,ASSURED');
    expect(flowCreateArgs({ family: 'ipv4', orig: tcp.orig, reply: tcp.reply, timeout: 5, statusBits: 1 << STATUS_BITS.indexOf('DYING') })).not.toContain('-u');
    expect(flowUpdateArgs({ family: 'ipv4', orig: udp.orig, zone: 2, id: 5, timeout: 30, mark: 1 })).toEqual([
      '-U', '-f', 'ipv4', '-p', 'udp', '-s', '10.0.0.1', '-d', '10.0.0.2', '--sport', '1000', '--dport', '53', '-w', '2', '-i', '5', '-t', '30', '-m', '1',
    ]);
  });
});
