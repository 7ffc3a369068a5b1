import { describe, expect, it } from 'vitest';
import type { KmsgIo } from '../alerts/kmsg';
import { readTableFullBacklog } from './kmsg-backlog';
import { conntrackLines } from './ruleset-lines';

/** /dev/kmsg as the kernel serves it: one record per read, EPIPE for overwritten ones, EAGAIN at the end. */
function fakeKmsg(records: Array<string | 'EPIPE'>): KmsgIo {
  let next = 0;
  return {
    open: () => 3,
    read(_fd, buffer) {
      const record = records[next++];
      if (record === undefined) throw Object.assign(new Error('again'), { code: 'EAGAIN' });
      if (record === 'EPIPE') throw Object.assign(new Error('pipe'), { code: 'EPIPE' });
      return buffer.write(record);
    },
    close: () => undefined,
  };
}

describe('snapshot host lines', () => {
  it('keeps the conntrack-related lines of nft and iptables rulesets, nothing else', () => {
    const nft = ['table inet filter {', '\tchain input {', '\t\tct state established,related accept', '\t\ttcp dport 22 accept', '\t\tudp dport 53 notrack', '\t}', '}'].join('\n');
    expect(conntrackLines('nft', nft)).toEqual([
      { source: 'nft', line: 'ct state established,related accept' },
      { source: 'nft', line: 'udp dport 53 notrack' },
    ]);
    const save = ['*raw', '-A PREROUTING -p udp --dport 53 -j CT --notrack', '-A OUTPUT -j NOTRACK', '*filter', '-A INPUT -m conntrack --ctstate INVALID -j DROP', '-A INPUT -p tcp --dport 22 -j ACCEPT', 'COMMIT'].join('\n');
    expect(conntrackLines('iptables-legacy-save', save).map((l) => l.line)).toEqual(['-A PREROUTING -p udp --dport 53 -j CT --notrack', '-A OUTPUT -j NOTRACK', '-A INPUT -m conntrack --ctstate INVALID -j DROP']);
  });

  it('reads the table-full records still in the kernel log, skipping overwritten ones and other messages', () => {
    const io = fakeKmsg([
      '4,100,5000000,-;nf_conntrack: nf_conntrack: table full, dropping packet\n',
      '6,101,5000100,-;eth0: link up\n',
      'EPIPE',
      '4,103,6000000,-;nf_conntrack: nf_conntrack: table full in netns 4026532246, dropping packet\n SUBSYSTEM=net\n',
    ]);
    expect(readTableFullBacklog(io)).toEqual({
      lines: [
        { seq: 100, usec: 5_000_000, message: 'nf_conntrack: nf_conntrack: table full, dropping packet' },
        { seq: 103, usec: 6_000_000, message: 'nf_conntrack: nf_conntrack: table full in netns 4026532246, dropping packet' },
      ],
    });
  });

  it('says why when the kernel log cannot be read', () => {
    const io: KmsgIo = {
      open: () => {
        throw Object.assign(new Error('denied'), { code: 'EACCES' });
      },
      read: () => 0,
      close: () => undefined,
    };
    expect(readTableFullBacklog(io, '/dev/kmsg')).toEqual({ lines: [], error: 'cannot read /dev/kmsg: EACCES' });
  });
});
