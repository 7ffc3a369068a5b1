// Unchecked big/little-endian reads: callers bounds-check the enclosing attribute first, which is
// cheaper than Buffer's per-call checks on the hot decode path.

export const u16le = (b: Uint8Array, o: number): number => (b[o] as number) | ((b[o + 1] as number) << 8);
export const u32le = (b: Uint8Array, o: number): number => ((b[o] as number) | ((b[o + 1] as number) << 8) | ((b[o + 2] as number) << 16) | ((b[o + 3] as number) << 24)) >>> 0;
export const u16be = (b: Uint8Array, o: number): number => ((b[o] as number) << 8) | (b[o + 1] as number);
export const u32be = (b: Uint8Array, o: number): number => (((b[o] as number) << 24) | ((b[o + 1] as number) << 16) | ((b[o + 2] as number) << 8) | (b[o + 3] as number)) >>> 0;
export const u64be = (b: Uint8Array, o: number): bigint => (BigInt(u32be(b, o)) << 32n) | BigInt(u32be(b, o + 4));

const OCTETS = Array.from({ length: 256 }, (_, i) => String(i));
const ipv4Cache = new Map<number, string>();
const IPV4_CACHE_LIMIT = 1 << 16;

/** Dotted quad, interned: tables repeat the same addresses thousands of times. */
export function ipv4(b: Uint8Array, o: number): string {
  return ipv4Text(u32be(b, o));
}

/** The dotted quad of an IPv4 address given as its 32-bit number (network order read big-endian). */
export function ipv4Text(value: number): string {
  let text = ipv4Cache.get(value);
  if (text === undefined) {
    text = `${OCTETS[value >>> 24] as string}.${OCTETS[(value >>> 16) & 255] as string}.${OCTETS[(value >>> 8) & 255] as string}.${OCTETS[value & 255] as string}`;
    if (ipv4Cache.size >= IPV4_CACHE_LIMIT) ipv4Cache.clear();
    ipv4Cache.set(value, text);
  }
  return text;
}

/** A NUL-terminated (or attribute-bounded) string. */
export function cString(b: Uint8Array, start: number, end: number): string {
  let stop = start;
  while (stop < end && b[stop] !== 0) stop++;
  return Buffer.from(b.buffer, b.byteOffset + start, stop - start).toString('utf8');
}
