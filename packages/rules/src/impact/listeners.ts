import { formatAddress } from '../spec/address';
import { execRunner, tryRun, type Runner } from '../system/runner';

export interface ListeningSocket {
  protocol: 'tcp' | 'udp';
  family: 'ipv4' | 'ipv6';
  address: string;
  port: number;
}

const TCP_LISTEN = '0A';
const UDP_UNCONNECTED = '07';

/** /proc/net stores each 32-bit word of the address in host (little-endian) byte order. */
function decodeAddress(hex: string): { family: 'ipv4' | 'ipv6'; address: string } | null {
  if (!/^[0-9A-Fa-f]+$/.test(hex) || (hex.length !== 8 && hex.length !== 32)) return null;
  const bytes: number[] = [];
  for (let word = 0; word < hex.length; word += 8) {
    const chunk = hex.slice(word, word + 8);
    for (let i = 6; i >= 0; i -= 2) bytes.push(parseInt(chunk.slice(i, i + 2), 16));
  }
  const family = hex.length === 8 ? 'ipv4' : 'ipv6';
  return { family, address: formatAddress(family, bytes) };
}

/**
 * Parses one of /proc/net/{tcp,tcp6,udp,udp6}: TCP sockets in LISTEN, UDP sockets bound without a
 * peer (remote address all zeros).
 */
export function parseProcNetSockets(text: string, protocol: 'tcp' | 'udp'): ListeningSocket[] {
  const out: ListeningSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const [local, remote, state] = [fields[1], fields[2], fields[3]];
    if (!local || !remote || !state) continue;
    const [addrHex = '', portHex = ''] = local.split(':');
    const decoded = decodeAddress(addrHex);
    if (!decoded) continue;
    const listening = protocol === 'tcp' ? state === TCP_LISTEN : state === UDP_UNCONNECTED && /^0+:0000$/.test(remote);
    if (!listening) continue;
    out.push({ protocol, ...decoded, port: parseInt(portHex, 16) });
  }
  return out;
}

/** Reads the listening sockets of the runner's network namespace (default: this process's). */
export async function readListeningSockets(runner: Runner = execRunner): Promise<ListeningSocket[]> {
  const out: ListeningSocket[] = [];
  for (const [file, protocol] of [
    ['/proc/net/tcp', 'tcp'],
    ['/proc/net/tcp6', 'tcp'],
    ['/proc/net/udp', 'udp'],
    ['/proc/net/udp6', 'udp'],
  ] as const) {
    const result = await tryRun(runner, 'cat', [file]);
    if (result) out.push(...parseProcNetSockets(result.stdout, protocol));
  }
  return out;
}
