/**
 * Regular expressions that read a batch's common lines whole: one per order of options, built from
 * the first line fast-encode.ts took in that order. V8 compiles them to native code, which reads the
 * ten-thousandth line no faster than the first: the JavaScript that reads bytes one by one runs
 * interpreted for most of a short CLI's life.
 */

/** Option kinds, in a line's order they make linePattern()'s key (4 bits each). */
export const K = { S: 1, D: 2, P: 3, SPORT: 4, DPORT: 5, STATE: 6, T: 7, U: 8 } as const;

/** fast-encode.ts's option bits (S, D, P, T, U, SPORT, DPORT, STATE) to their kind. */
export const KIND_OF_BIT: Readonly<Record<number, number>> = { 1: K.S, 2: K.D, 4: K.P, 8: K.T, 16: K.U, 32: K.SPORT, 64: K.DPORT, 128: K.STATE };

const GAP = '[ \\t\\r]+';
const QUAD = '(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})';
const WORD = '([^ \\t\\r\\n]+)';
/** Each kind's option and value: the same words the byte reader takes (a value outside them leaves the line to it). */
const PIECES: Readonly<Record<number, string>> = {
  [K.S]: `-s${GAP}${QUAD}`,
  [K.D]: `-d${GAP}${QUAD}`,
  [K.P]: `-p${GAP}(tcp|udp)`,
  [K.SPORT]: `--sport${GAP}(\\d{1,5})`,
  [K.DPORT]: `--dport${GAP}(\\d{1,5})`,
  [K.STATE]: `--state${GAP}${WORD}`,
  [K.T]: `-t${GAP}(\\d{1,9})`,
  [K.U]: `-u${GAP}${WORD}`,
};

export interface LinePattern {
  /** Sticky: matches one whole line at lastIndex, its newline included. Capture 1 is I or A. */
  regex: RegExp;
  kinds: number[];
}

const patterns = new Map<number, LinePattern>();

/** The pattern of lines with the options of `order` (kinds, 4 bits each, the first option highest). */
export function linePattern(order: number): LinePattern {
  const known = patterns.get(order);
  if (known) return known;
  const kinds: number[] = [];
  for (let rest = order; rest > 0; rest = Math.floor(rest / 16)) kinds.unshift(rest % 16);
  const regex = new RegExp(`[ \\t\\r]*-([IA])${kinds.map((k) => GAP + PIECES[k]).join('')}[ \\t\\r]*(?:\\n|$)`, 'y');
  const pattern = { regex, kinds };
  if (patterns.size < 256) patterns.set(order, pattern);
  return pattern;
}

/** A dotted quad from its four parts (1-3 digits each), else -1 when one is past 255. */
export function quad(a: string, b: string, c: string, d: string): number {
  const x = Number(a), y = Number(b), z = Number(c), w = Number(d);
  if (x > 255 || y > 255 || z > 255 || w > 255) return -1;
  return ((x << 24) | (y << 16) | (z << 8) | w) >>> 0;
}
