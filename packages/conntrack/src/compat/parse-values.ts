/** The values conntrack 1.4.7 reads from its options, with its C library's leniency and its messages. */
import { readFileSync } from 'node:fs';
import { parseAddress } from '../filter/address';
import type { Family } from '../flow';
import { PROTO_HANDLERS, type ProtoHandler } from './options';
import { CompatError, type Address } from './errors';

const paramProblem = (message: string): never => {
  throw new CompatError(2, message);
};

/** strtoul(text, &end, 0): the value of the leading number and where it stopped (NaN when none). */
export function strtoul(text: string): { value: number; rest: string } {
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(text);
  if (!m) return { value: Number.NaN, rest: text };
  const digits = m[2] as string;
  let value = digits.startsWith('0x') || digits.startsWith('0X') ? parseInt(digits, 16) : digits.length > 1 && digits.startsWith('0') ? parseInt(digits, 8) : Number(digits);
  if (m[1] === '-') value = 2 ** 64 - value;
  return { value, rest: text.slice(m[0].length) };
}
/** atoi/atol: leading decimal digits, 0 when there are none. */
export function atoi(text: string): number {
  const m = /^\s*([+-]?\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}
export const u8 = (n: number) => ((n % 256) + 256) % 256;
export const u16 = (n: number) => ((n % 65536) + 65536) % 65536;
export const u32 = (n: number) => (Number.isFinite(n) ? Number(BigInt.asUintN(32, BigInt(Math.trunc(n)))) : 0);

let protocolsFile: Map<string, number> | undefined;
/** getprotobyname(): names and aliases from /etc/protocols. */
function protocolByName(name: string): number | undefined {
  if (!protocolsFile) {
    protocolsFile = new Map();
    let text = '';
    try {
      text = readFileSync('/etc/protocols', 'utf8');
    } catch {
      text = '';
    }
    for (const line of text.split('\n')) {
      const fields = (line.split('#')[0] ?? '').trim().split(/\s+/);
      const num = Number(fields[1]);
      if (fields.length < 2 || !Number.isInteger(num)) continue;
      for (const alias of [fields[0] as string, ...fields.slice(2)]) if (!protocolsFile.has(alias)) protocolsFile.set(alias, num);
    }
  }
  return protocolsFile.get(name);
}

/** findproto(): a registered name (any case), a name from /etc/protocols, or a number 0-255. */
export function findProto(name: string): { num: number; handler?: ProtoHandler } | undefined {
  const byName = PROTO_HANDLERS.find((h) => h.name.toLowerCase() === name.toLowerCase());
  if (byName) return { num: byName.num, handler: byName };
  const fromFile = protocolByName(name);
  if (fromFile !== undefined) return { num: fromFile };
  const { value, rest } = strtoul(name);
  if (Number.isNaN(value) || rest !== '' || value > 255) return undefined;
  const handler = PROTO_HANDLERS.find((h) => h.num === value);
  return handler ? { num: value, handler } : { num: value };
}

/** parse_addr(): an address with an optional /prefix; prefix -1 none, -2 invalid. */
export function parseAddr(text: string): { address: Address; prefix: number } | undefined {
  let prefix = -1;
  let host = text;
  const slash = text.indexOf('/');
  if (slash >= 0) {
    const digits = text.slice(slash + 1);
    prefix = /^[+-]?\d+$/.test(digits) && Number(digits) >= 0 ? Number(digits) : -2;
    host = text.slice(0, slash);
  }
  const parsed = parseAddress(host);
  if (!parsed) return undefined;
  const family: Family = parsed.family === 4 ? 'ipv4' : 'ipv6';
  if (prefix > (family === 'ipv4' ? 32 : 128)) prefix = -2;
  return { address: { family, words: parsed.words }, prefix };
}

export function prefixMask(family: Family, prefix: number): Address {
  const words: number[] = [];
  let bits = prefix;
  for (let i = 0; i < (family === 'ipv4' ? 1 : 4); i++) {
    words.push(bits >= 32 ? 0xffffffff : bits > 0 ? (0xffffffff << (32 - bits)) >>> 0 : 0);
    bits = Math.max(0, bits - 32);
  }
  return { family, words };
}

/** split_address_and_port(): `ADDR`, `ADDR:PORT` or `[ADDR6]:PORT`. */
export function splitAddressAndPort(arg: string): { address: string; port?: string } {
  const open = arg.indexOf('[');
  if (open >= 0) {
    const close = arg.indexOf(']', open + 1);
    if (close === open + 1) paramProblem('No IPv6 address specified');
    if (close < 0) paramProblem("No closing ']' around IPv6 address");
    const colon = arg.indexOf(':', close);
    if (colon < 0) return { address: arg };
    return { address: arg.slice(open + 1, close), port: checkPort(arg.slice(colon + 1)) };
  }
  const colon = arg.indexOf(':');
  if (colon >= 0 && !arg.includes(':', colon + 1)) return { address: arg.slice(0, colon), port: checkPort(arg.slice(colon + 1)) };
  return { address: arg };
}
function checkPort(text: string): string {
  if (text.length === 0) paramProblem("No port specified after `:'");
  if (!/^\d+$/.test(text) || Number(text) > 65535) paramProblem(`Invalid port \`${text}'`);
  return text;
}

const STATUS_NAMES: ReadonlyArray<[string, number]> = [
  ['ASSURED', 1 << 2],
  ['SEEN_REPLY', 1 << 1],
  ['UNSET', 0],
  ['FIXED_TIMEOUT', 1 << 10],
  ['EXPECTED', 1 << 0],
  ['OFFLOAD', 1 << 14],
  ['HW_OFFLOAD', 1 << 15],
];
export const EVENT_NAMES: ReadonlyArray<[string, number]> = [
  ['ALL', 7],
  ['NEW', 1],
  ['UPDATES', 2],
  ['DESTROY', 4],
];
export const OUTPUT_NAMES = ['xml', 'extended', 'timestamp', 'id', 'ktimestamp', 'labels', 'userspace', 'save'] as const;

/** do_parse_parameter(): a prefix of one of the names (case-insensitive); SRC_NAT/DST_NAT are warned about and ignored. */
function parseParameterWord(word: string, names: ReadonlyArray<[string, number]>, warnings: string[]): number | undefined {
  const upper = word.toUpperCase();
  if ('SRC_NAT'.startsWith(upper)) {
    warnings.push('WARNING: ignoring SRC_NAT, use --src-nat instead');
    return 0;
  }
  if ('DST_NAT'.startsWith(upper)) {
    warnings.push('WARNING: ignoring DST_NAT, use --dst-nat instead');
    return 0;
  }
  return names.find(([name]) => name.startsWith(upper))?.[1];
}
export function parseParameterList(arg: string, names: ReadonlyArray<[string, number]>, warnings: string[]): number {
  let value = 0;
  const words = arg.split(',');
  words.forEach((word, i) => {
    const bad = () => paramProblem(`Bad parameter \`${words.slice(i).join(',')}'`);
    if (word === '') bad();
    const bits = parseParameterWord(word, names, warnings);
    if (bits === undefined) bad();
    value |= bits ?? 0;
  });
  return value;
}
/** parse_parameter_mask(): status names, `!NAME` (must be clear) and UNREPLIED. */
export function parseStatusMask(arg: string, warnings: string[]): { status: number; mask: number } {
  let status = 0;
  let mask = 0;
  const words = arg.split(',');
  words.forEach((raw, i) => {
    const bad = () => paramProblem(`Bad parameter \`${words.slice(i).join(',')}'`);
    const negated = raw.startsWith('!');
    const word = negated ? raw.slice(1) : raw;
    if (!negated && raw.startsWith('UNREPLIED')) {
      mask |= 1 << 1;
      return;
    }
    if (word === '') bad();
    const bits = parseParameterWord(word, STATUS_NAMES, warnings);
    if (bits === undefined) bad();
    if (negated) mask |= bits ?? 0;
    else status |= bits ?? 0;
  });
  return { status, mask };
}

