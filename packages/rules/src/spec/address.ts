/**
 * Strict IPv4 / IPv6 CIDR parsing. Only ASCII digits, hex letters, '.', ':' and '/' are accepted, so
 * look-alike characters (fullwidth digits, Cyrillic letters) and shell metacharacters never parse.
 */

export interface Cidr {
  family: 'ipv4' | 'ipv6';
  /** 4 or 16 bytes, host bits zero. */
  bytes: readonly number[];
  prefix: number;
  /** Canonical text (RFC 5952 for IPv6), with the prefix: `10.0.0.0/8`, `2001:db8::/32`. */
  text: string;
}

const V4_OCTET = /^(0|[1-9][0-9]{0,2})$/;
const V6_GROUP = /^[0-9a-fA-F]{1,4}$/;

export function parseIpv4(text: string): number[] | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const bytes: number[] = [];
  for (const part of parts) {
    if (!V4_OCTET.test(part)) return null;
    const value = Number(part);
    if (value > 255) return null;
    bytes.push(value);
  }
  return bytes;
}

export function parseIpv6(text: string): number[] | null {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.length > 45) return null;
  let head = text;
  let tail4: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (!v4) return null;
    tail4 = v4;
    head = text[lastColon - 1] === ':' ? text.slice(0, lastColon + 1) : text.slice(0, lastColon);
  }
  const groupsWanted = 8 - tail4.length / 2;
  const halves = head.split('::');
  if (halves.length > 2) return null;
  const toGroups = (s: string): number[] | null => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!V6_GROUP.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const left = toGroups(halves[0] ?? '');
  const right = halves.length === 2 ? toGroups(halves[1] ?? '') : [];
  if (!left || !right) return null;
  let groups: number[];
  if (halves.length === 2) {
    const missing = groupsWanted - left.length - right.length;
    if (missing < 1) return null;
    groups = [...left, ...new Array<number>(missing).fill(0), ...right];
  } else {
    if (left.length !== groupsWanted) return null;
    groups = left;
  }
  const bytes: number[] = [];
  for (const g of groups) bytes.push(g >> 8, g & 0xff);
  return [...bytes, ...tail4];
}

export function formatIpv6(bytes: readonly number[]): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function formatAddress(family: 'ipv4' | 'ipv6', bytes: readonly number[]): string {
  return family === 'ipv4' ? bytes.join('.') : formatIpv6(bytes);
}

/** Parses `addr` or `addr/prefix`; returns an error message (without the field name) or the CIDR. */
export function parseCidr(input: string): Cidr | string {
  if (input.length > 49) return 'is too long for an address';
  const slash = input.indexOf('/');
  const addrText = slash < 0 ? input : input.slice(0, slash);
  const prefixText = slash < 0 ? null : input.slice(slash + 1);
  const v4 = parseIpv4(addrText);
  const v6 = v4 ? null : parseIpv6(addrText);
  const bytes = v4 ?? v6;
  if (!bytes) return 'is not an IPv4 or IPv6 address (ASCII digits, a-f, ".", ":" only)';
  const family = v4 ? 'ipv4' : 'ipv6';
  const max = family === 'ipv4' ? 32 : 128;
  let prefix = max;
  if (prefixText !== null) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText)) return 'has a malformed prefix length';
    prefix = Number(prefixText);
    if (prefix > max) return `prefix length must be 0-${max}`;
  }
  for (let bit = prefix; bit < max; bit++) {
    if (((bytes[bit >> 3] ?? 0) >> (7 - (bit & 7))) & 1) {
      const masked = maskBytes(bytes, prefix);
      return `has host bits set; did you mean ${formatAddress(family, masked)}/${prefix}?`;
    }
  }
  return { family, bytes, prefix, text: `${formatAddress(family, bytes)}/${prefix}` };
}

export function maskBytes(bytes: readonly number[], prefix: number): number[] {
  return bytes.map((b, i) => {
    const bitsHere = Math.max(0, Math.min(8, prefix - i * 8));
    return bitsHere === 0 ? 0 : b & (0xff << (8 - bitsHere)) & 0xff;
  });
}

/** True when `address` (plain text, no prefix) lies inside `cidr`. */
export function cidrContains(cidr: Cidr, address: string): boolean {
  const bytes = cidr.family === 'ipv4' ? parseIpv4(address) : parseIpv6(address);
  if (!bytes) return false;
  const masked = maskBytes(bytes, cidr.prefix);
  return masked.every((b, i) => b === cidr.bytes[i]);
}

/** Netmask text for a prefix (`255.255.255.0`, `ffff:ffff::`), as nft and iptables print it. */
export function prefixMask(family: 'ipv4' | 'ipv6', prefix: number): string {
  const size = family === 'ipv4' ? 4 : 16;
  return formatAddress(family, maskBytes(new Array<number>(size).fill(0xff), prefix));
}
