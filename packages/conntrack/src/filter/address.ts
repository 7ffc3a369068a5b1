/** IPv4/IPv6 address and CIDR parsing, canonical text, and fast prefix matching. */

export type AddressFamily = 4 | 6;

/** An address as 32-bit words (1 word for IPv4, 4 for IPv6), most significant first. */
export interface ParsedAddress {
  family: AddressFamily;
  words: number[];
}

export interface ParsedCidr extends ParsedAddress {
  /** Prefix length; the full length (32/128) for a single address. */
  prefix: number;
}

function parseIpv4Words(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    value = value * 256 + n;
  }
  return value >>> 0;
}

function parseIpv6Words(input: string): number[] | null {
  if (input.length < 2 || input.length > 45) return null;
  let text = input;
  const lastColon = text.lastIndexOf(':');
  if (text.indexOf('.', lastColon) > lastColon) {
    // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
    const v4 = parseIpv4Words(text.slice(lastColon + 1));
    if (v4 === null) return null;
    text = `${text.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parseGroups = (s: string): number[] | null => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const left = parseGroups(halves[0] ?? '');
  const right = halves.length === 2 ? parseGroups(halves[1] ?? '') : [];
  if (!left || !right) return null;
  let groups: number[];
  if (halves.length === 2) {
    const missing = 8 - left.length - right.length;
    if (missing < 1) return null;
    groups = [...left, ...new Array<number>(missing).fill(0), ...right];
  } else {
    if (left.length !== 8) return null;
    groups = left;
  }
  const words: number[] = [];
  for (let i = 0; i < 8; i += 2) words.push((((groups[i] ?? 0) << 16) | (groups[i + 1] ?? 0)) >>> 0);
  return words;
}

/** Parses a literal IPv4 (dotted quad) or IPv6 address; null when it is neither. */
export function parseAddress(text: string): ParsedAddress | null {
  const v4 = parseIpv4Words(text);
  if (v4 !== null) return { family: 4, words: [v4] };
  if (!text.includes(':')) return null;
  const v6 = parseIpv6Words(text);
  return v6 ? { family: 6, words: v6 } : null;
}

export type CidrResult = { ok: true; cidr: ParsedCidr } | { ok: false; message: string };

/** Parses `addr` or `addr/len`. Host bits are cleared, as `conntrack` does with --mask-src. */
export function parseCidr(text: string): CidrResult {
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const address = parseAddress(addrText);
  if (!address) return { ok: false, message: 'expected an IPv4 or IPv6 address, optionally with /prefix' };
  const max = address.family === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const lenText = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > max) {
      return { ok: false, message: `prefix length must be 0-${max}` };
    }
    prefix = Number(lenText);
  }
  const mask = prefixMask(address.family, prefix);
  const words = address.words.map((w, i) => (w & (mask[i] ?? 0)) >>> 0);
  return { ok: true, cidr: { family: address.family, words, prefix } };
}

export function prefixMask(family: AddressFamily, prefix: number): number[] {
  const count = family === 4 ? 1 : 4;
  const out: number[] = [];
  let bits = prefix;
  for (let i = 0; i < count; i++) {
    if (bits >= 32) out.push(0xffffffff);
    else if (bits <= 0) out.push(0);
    else out.push((0xffffffff << (32 - bits)) >>> 0);
    bits -= 32;
  }
  return out;
}

function formatIpv4(word: number): string {
  return `${word >>> 24}.${(word >>> 16) & 0xff}.${(word >>> 8) & 0xff}.${word & 0xff}`;
}

/** IPv6 text as glibc's inet_ntop writes it (what `conntrack` prints). */
function formatIpv6(words: readonly number[]): string {
  const groups: number[] = [];
  for (const w of words) groups.push(w >>> 16, w & 0xffff);
  let bestBase = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestBase = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestBase = -1;
  const embedsV4 = bestBase === 0 && (bestLen === 6 || (bestLen === 5 && groups[5] === 0xffff));
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && embedsV4) {
      out += formatIpv4(words[3] ?? 0);
      break;
    }
    out += (groups[i] ?? 0).toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) out += ':';
  return out;
}

export function formatAddress(address: ParsedAddress): string {
  return address.family === 4 ? formatIpv4(address.words[0] ?? 0) : formatIpv6(address.words);
}

/** Canonical CIDR text: the network address, and `/len` only when it is not a single host. */
export function formatCidr(cidr: ParsedCidr): string {
  const text = formatAddress(cidr);
  return cidr.prefix === (cidr.family === 4 ? 32 : 128) ? text : `${text}/${cidr.prefix}`;
}

const CACHE_LIMIT = 65536;
const addressCache = new Map<string, ParsedAddress | null>();

/** parseAddress with a bounded cache: flow tables repeat the same few addresses many times. */
export function parseAddressCached(text: string): ParsedAddress | null {
  let hit = addressCache.get(text);
  if (hit === undefined) {
    if (addressCache.size >= CACHE_LIMIT) addressCache.clear();
    hit = parseAddress(text);
    addressCache.set(text, hit);
  }
  return hit;
}

/** A predicate over address text that tests membership in the CIDR. */
export function compileCidr(cidr: ParsedCidr): (address: string) => boolean {
  const mask = prefixMask(cidr.family, cidr.prefix);
  if (cidr.family === 4) {
    const net = cidr.words[0] ?? 0;
    const m = mask[0] ?? 0;
    return (address) => {
      const parsed = parseAddressCached(address);
      return parsed !== null && parsed.family === 4 && (((parsed.words[0] ?? 0) & m) >>> 0) === net;
    };
  }
  return (address) => {
    const parsed = parseAddressCached(address);
    if (parsed === null || parsed.family !== 6) return false;
    for (let i = 0; i < 4; i++) {
      if ((((parsed.words[i] ?? 0) & (mask[i] ?? 0)) >>> 0) !== cidr.words[i]) return false;
    }
    return true;
  };
}
