import { describe, expect, it } from 'vitest';
import { parseProcNetSockets } from './listeners';

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1234 1 0000000000000000 100 0 0 10 0
   1: 0100007F:0CEA 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 1235 1 0000000000000000 20 4 30 10 -1`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 99 1 0000000000000000 100 0 0 10 0
   1: 0000000000000000FFFF00000100007F:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 98 1 0000000000000000 100 0 0 10 0`;
const UDP = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  100: 3500007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101        0 5 2 0000000000000000 0
  101: 0100007F:9C41 0100007F:0035 01 00000000:00000000 00:00000000 00000000     0        0 6 2 0000000000000000 0`;

describe('parseProcNetSockets', () => {
  it('decodes little-endian IPv4 words and keeps only LISTEN', () => {
    expect(parseProcNetSockets(TCP, 'tcp')).toEqual([{ protocol: 'tcp', family: 'ipv4', address: '127.0.0.1', port: 3306 }]);
  });
  it('decodes IPv6 (including v4-mapped)', () => {
    expect(parseProcNetSockets(TCP6, 'tcp')).toEqual([
      { protocol: 'tcp', family: 'ipv6', address: '::1', port: 22 },
      { protocol: 'tcp', family: 'ipv6', address: '::ffff:7f00:1', port: 8080 },
    ]);
  });
  it('keeps unconnected UDP sockets only', () => {
    expect(parseProcNetSockets(UDP, 'udp')).toEqual([{ protocol: 'udp', family: 'ipv4', address: '127.0.0.53', port: 53 }]);
  });
  it('ignores garbage', () => {
    expect(parseProcNetSockets('header\nnot a line\n 0: zz:zz 00:00 0A', 'tcp')).toEqual([]);
  });
});
