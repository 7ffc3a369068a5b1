import type { Flow, Tuple } from '../flow';
import { protoNumberToName } from './vocab';

/**
 * Receives a flow's search text piece by piece. `text` pieces are ASCII (names, addresses) and are
 * lower-cased by the sink; `freeText` pieces (helper, security context) may hold anything.
 */
export interface SearchTextSink {
  text(piece: string): void;
  freeText(piece: string): void;
  number(value: number): void;
}

/**
 * The text a free-text term is searched in: what a `conntrack -L` line shows, lower-cased. Written
 * piece by piece so that matching can stream it instead of building a string per entry and query.
 */
export function writeSearchText(flow: Flow, out: SearchTextSink): void {
  out.text(flow.family);
  out.text(' ');
  out.text(flow.proto === 'unknown' ? protoNumberToName(flow.protoNum) : flow.proto);
  out.text(' ');
  if (flow.state !== undefined) out.text(flow.state);
  out.text(' ');
  writeTuple(flow.orig, out);
  out.text(' ');
  writeTuple(flow.reply, out);
  out.text(' ');
  const { status } = flow;
  for (let i = 0; i < status.length; i++) {
    if (i > 0) out.text(' ');
    out.text(status[i] as string);
  }
  if (flow.mark !== undefined) labelled(out, ' mark=', flow.mark);
  if (flow.zone !== undefined) labelled(out, ' zone=', flow.zone);
  if (flow.helper !== undefined) {
    out.text(' helper=');
    out.freeText(flow.helper);
  }
  if (flow.secctx !== undefined) {
    out.text(' secctx=');
    out.freeText(flow.secctx);
  }
  if (flow.id !== undefined) labelled(out, ' id=', flow.id);
}

function labelled(out: SearchTextSink, label: string, value: number | undefined): void {
  out.text(label);
  if (value !== undefined) out.number(value);
}

function writeTuple(t: Tuple, out: SearchTextSink): void {
  out.text('src=');
  out.text(t.src);
  out.text(' dst=');
  out.text(t.dst);
  if (t.sport !== undefined) {
    labelled(out, ' sport=', t.sport);
    labelled(out, ' dport=', t.dport);
  }
  if (t.icmpType !== undefined) {
    labelled(out, ' type=', t.icmpType);
    labelled(out, ' code=', t.icmpCode);
    labelled(out, ' id=', t.icmpId);
  }
}

/** Builds the search text as one string (for display and as the reference the matcher must agree with). */
class StringSink implements SearchTextSink {
  readonly pieces: string[] = [];
  text(piece: string): void {
    this.pieces.push(piece);
  }
  freeText(piece: string): void {
    this.pieces.push(piece);
  }
  number(value: number): void {
    this.pieces.push(String(value));
  }
}

export function flowSearchText(flow: Flow): string {
  const sink = new StringSink();
  writeSearchText(flow, sink);
  return sink.pieces.join('').toLowerCase();
}

const MAX_DIGITS = 16;
/** Characters below this go through the automaton's table; the rest (only in free-text pieces) take the KMP loop. */
export const TABLE_WIDTH = 128;

/** A lower-cased term's Knuth–Morris–Pratt automaton: the term's char codes, its failure links, and its table. */
export interface TermAutomaton {
  codes: Uint16Array;
  fail: Int32Array;
  /** next[state * TABLE_WIDTH + char]: the state after reading an ASCII char (upper case folded); state === codes.length is a match. */
  next: Int32Array;
}

export function termAutomaton(term: string): TermAutomaton {
  const m = term.length;
  const codes = new Uint16Array(m);
  for (let i = 0; i < m; i++) codes[i] = term.charCodeAt(i);
  const fail = new Int32Array(m);
  for (let i = 1, k = 0; i < m; i++) {
    while (k > 0 && codes[i] !== codes[k]) k = fail[k - 1] as number;
    if (codes[i] === codes[k]) k++;
    fail[i] = k;
  }
  const next = new Int32Array(Math.max(1, m) * TABLE_WIDTH);
  for (let s = 0; s < m; s++) {
    for (let c = 0; c < TABLE_WIDTH; c++) {
      const lower = c >= 65 && c <= 90 ? c + 32 : c;
      if (codes[s] === lower) next[s * TABLE_WIDTH + c] = s + 1;
      else if (s > 0) next[s * TABLE_WIDTH + c] = next[(fail[s - 1] as number) * TABLE_WIDTH + c] as number;
    }
  }
  return { codes, fail, next };
}

/**
 * Whether a lower-cased term occurs in a flow's search text, found by streaming the text through the
 * term's Knuth–Morris–Pratt automaton: no string is built per entry, which keeps a free-text query over
 * a large table from allocating (and leaving resident) a haystack per entry, and each ASCII character
 * costs one table lookup (upper-case letters lead where their lower-case ones do, so the text needs no
 * lower-casing).
 */
export class TermMatcher implements SearchTextSink {
  private readonly codes: Uint16Array;
  private readonly fail: Int32Array;
  /** next[state * TABLE_WIDTH + char]: the state after reading an ASCII char; state === codes.length is a match. */
  private readonly next: Int32Array;
  private readonly digits = new Uint8Array(MAX_DIGITS);
  private state = 0;

  constructor(term: string) {
    ({ codes: this.codes, fail: this.fail, next: this.next } = termAutomaton(term));
  }

  matches(flow: Flow): boolean {
    if (this.codes.length === 0) return true;
    this.state = 0;
    writeSearchText(flow, this);
    return this.state === this.codes.length;
  }
  /** For a writer of its own (e.g. one reading a columnar table): `begin`, write the pieces, then `found`. */
  begin(): void {
    this.state = 0;
  }
  get found(): boolean {
    return this.state === this.codes.length;
  }

  /** The KMP step from state `j` for a character outside the table. */
  private slowStep(j: number, c: number): number {
    const codes = this.codes;
    while (j > 0 && codes[j] !== c) j = this.fail[j - 1] as number;
    return codes[j] === c ? j + 1 : j;
  }

  text(piece: string): void {
    const m = this.codes.length;
    const next = this.next;
    let s = this.state;
    for (let i = 0; i < piece.length && s !== m; i++) {
      const c = piece.charCodeAt(i);
      // Only free-text pieces hold characters past the table, and freeText lower-cased them already.
      s = c < TABLE_WIDTH ? (next[s * TABLE_WIDTH + c] as number) : this.slowStep(s, c);
    }
    this.state = s;
  }

  freeText(piece: string): void {
    if (this.state !== this.codes.length) this.text(piece.toLowerCase());
  }

  number(value: number): void {
    const m = this.codes.length;
    if (this.state === m) return;
    if (!(Number.isSafeInteger(value) && value >= 0)) return this.text(String(value));
    let n = value;
    let len = 0;
    do {
      const q = n <= 0xffffffff ? (n / 10) >>> 0 : Math.floor(n / 10);
      this.digits[len++] = 48 + n - q * 10;
      n = q;
    } while (n > 0);
    let s = this.state;
    while (len > 0 && s !== m) s = this.next[s * TABLE_WIDTH + (this.digits[--len] as number)] as number;
    this.state = s;
  }
}

/** A predicate true when every lower-cased term occurs in the flow's search text. */
export function searchTextPredicate(terms: readonly string[]): (flow: Flow) => boolean {
  const matchers = terms.map((term) => new TermMatcher(term.toLowerCase()));
  return (flow) => {
    for (const matcher of matchers) if (!matcher.matches(flow)) return false;
    return true;
  };
}
