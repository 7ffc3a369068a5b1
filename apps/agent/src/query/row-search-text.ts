import { protoNumberToName, TABLE_WIDTH, termAutomaton, type SearchTextSink } from '@ctscope/conntrack';
import { HAS, ORIG_SHIFT, REPLY_SHIFT, TUPLE } from '../mirror/columns';
import type { FlowTable } from '../mirror/flow-table';
import type { RowPredicate } from './row-filter';
import { pieceTermPredicate, rowHeadText } from './row-piece-search';

/**
 * writeSearchText (packages/conntrack) for a row of the table, read from its columns: the same pieces
 * in the same order, so a free-text term matches exactly what it matches in a Flow's text.
 */
export function writeRowSearchText(table: FlowTable, row: number, out: SearchTextSink): void {
  const c = table.columns;
  const flags = c.flags[row] as number;
  const protoNum = c.protoNum[row] as number;
  out.text(flags & HAS.IPV6 ? 'ipv6' : 'ipv4');
  out.text(' ');
  const proto = table.protoName(protoNum);
  out.text(proto === 'unknown' ? protoNumberToName(protoNum) : proto);
  out.text(' ');
  const state = c.state[row] as number;
  if (state !== 0) out.text(table.stateName(state));
  out.text(' ');
  writeTuple(table, row, true, out);
  out.text(' ');
  writeTuple(table, row, false, out);
  out.text(' ');
  const status = table.statusNames(c.statusBits[row] as number);
  for (let i = 0; i < status.length; i++) {
    if (i > 0) out.text(' ');
    out.text(status[i] as string);
  }
  if (flags & HAS.MARK) labelled(out, ' mark=', c.mark[row] as number);
  if (flags & HAS.ZONE) labelled(out, ' zone=', c.zone[row] as number);
  if (flags & HAS.EXTRA) {
    const extra = table.extra(row);
    if (extra?.helper !== undefined) {
      out.text(' helper=');
      out.freeText(extra.helper);
    }
    if (extra?.secctx !== undefined) {
      out.text(' secctx=');
      out.freeText(extra.secctx);
    }
  }
  if (flags & HAS.ID) labelled(out, ' id=', c.id[row] as number);
}

function labelled(out: SearchTextSink, label: string, value: number | undefined): void {
  out.text(label);
  if (value !== undefined) out.number(value);
}

function writeTuple(table: FlowTable, row: number, orig: boolean, out: SearchTextSink): void {
  const c = table.columns;
  const has = ((c.flags[row] as number) >>> (orig ? ORIG_SHIFT : REPLY_SHIFT)) & 0xff;
  const strings = table.addresses.strings;
  out.text('src=');
  out.text(strings[(orig ? c.origSrc : c.replySrc)[row] as number] as string);
  out.text(' dst=');
  out.text(strings[(orig ? c.origDst : c.replyDst)[row] as number] as string);
  if (has & TUPLE.SPORT) {
    labelled(out, ' sport=', (orig ? c.origSport : c.replySport)[row]);
    labelled(out, ' dport=', has & TUPLE.DPORT ? (orig ? c.origDport : c.replyDport)[row] : undefined);
  }
  if (has & TUPLE.ICMP_TYPE) {
    labelled(out, ' type=', (orig ? c.origIcmpType : c.replyIcmpType)[row]);
    labelled(out, ' code=', has & TUPLE.ICMP_CODE ? (orig ? c.origIcmpCode : c.replyIcmpCode)[row] : undefined);
    labelled(out, ' id=', has & TUPLE.ICMP_ID ? (orig ? c.origIcmpId : c.replyIcmpId)[row] : undefined);
  }
}

/** The fixed pieces of the text, by number (an index into RowTermMatcher's label vectors). */
const LABELS = [' ', 'src=', ' dst=', ' sport=', ' dport=', ' type=', ' code=', ' id=', ' mark=', ' zone=', ' helper=', ' secctx='] as const;
const [SPACE, SRC, DST, SPORT, DPORT, TYPE, CODE, ID, MARK, ZONE, HELPER, SECCTX] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] as const;

/**
 * One term's Knuth–Morris–Pratt automaton (termAutomaton, shared with TermMatcher), run over a
 * row's search text with most pieces taken whole: what a fixed piece (a label, the family-protocol-
 * state head, the status names) does to any state is worked out once per query, and what an address
 * does from the start state once per pooled address. Only numbers and the rest are read character by
 * character. writeRowSearchText is the reference it must agree with (see the property test).
 */
class RowTermMatcher {
  private readonly m: number;
  private readonly codes: Uint16Array;
  private readonly fail: Int32Array;
  private readonly next: Int32Array;
  /** labels[label * (m + 1) + state]: the state after reading that label. */
  private readonly labels: Int32Array;
  private readonly heads = new Map<number, Int32Array>();
  private readonly statuses = new Map<number, Int32Array>();
  /** Per pooled address, the state after reading it from state 0 (-1: not yet known). */
  private readonly fromStart: Int32Array;
  private readonly digits = new Uint8Array(10);
  private readonly portFromStart = new Int32Array(65_536).fill(-1);
  // Neighbouring rows mostly share their head and status: the last ones are kept at hand.
  private lastHeadKey = -1;
  private lastHead: Int32Array | undefined;
  private lastStatusBits = -1;
  private lastStatus: Int32Array | undefined;

  constructor(
    private readonly table: FlowTable,
    term: string,
  ) {
    const m = (this.m = term.length);
    ({ codes: this.codes, fail: this.fail, next: this.next } = termAutomaton(term));
    this.labels = new Int32Array(LABELS.length * (m + 1));
    LABELS.forEach((label, i) => this.labels.set(this.vector(label), i * (m + 1)));
    this.fromStart = new Int32Array(table.addresses.span).fill(-1);
  }

  /** The state after reading `piece` (ASCII, or already lower-cased) from state `s`. */
  private walk(s: number, piece: string): number {
    const m = this.m;
    for (let i = 0; i < piece.length && s !== m; i++) {
      const ch = piece.charCodeAt(i);
      if (ch < TABLE_WIDTH) s = this.next[s * TABLE_WIDTH + ch] as number;
      else {
        while (s > 0 && this.codes[s] !== ch) s = this.fail[s - 1] as number;
        if (this.codes[s] === ch) s++;
      }
    }
    return s;
  }

  /** What reading `piece` does to every state. */
  private vector(piece: string): Int32Array {
    const out = new Int32Array(this.m + 1);
    for (let s = 0; s <= this.m; s++) out[s] = this.walk(s, piece);
    return out;
  }

  private label(s: number, label: number): number {
    return this.labels[label * (this.m + 1) + s] as number;
  }

  /** Digits straight from the value (column values are integers below 2^32), no string per number. */
  private number(s: number, value: number): number {
    const digits = this.digits;
    let len = 0;
    do {
      const q = (value / 10) >>> 0;
      digits[len++] = 48 + value - q * 10;
      value = q;
    } while (value > 0);
    const m = this.m;
    while (len > 0 && s !== m) s = this.next[s * TABLE_WIDTH + (digits[--len] as number)] as number;
    return s;
  }

  /** A port from state 0 (where the port labels mostly leave it), once per port value and query. */
  private port(s: number, value: number): number {
    if (s !== 0) return this.number(s, value);
    let after = this.portFromStart[value] as number;
    if (after < 0) this.portFromStart[value] = after = this.number(0, value);
    return after;
  }

  private address(s: number, address: number): number {
    if (s !== 0) return this.walk(s, this.table.addresses.strings[address] as string);
    let after = this.fromStart[address] as number;
    if (after < 0) this.fromStart[address] = after = this.walk(0, this.table.addresses.strings[address] as string);
    return after;
  }

  private tuple(s: number, row: number, orig: boolean): number {
    const c = this.table.columns;
    const has = ((c.flags[row] as number) >>> (orig ? ORIG_SHIFT : REPLY_SHIFT)) & 0xff;
    s = this.label(s, SRC);
    s = this.address(s, (orig ? c.origSrc : c.replySrc)[row] as number);
    s = this.label(s, DST);
    s = this.address(s, (orig ? c.origDst : c.replyDst)[row] as number);
    if (has & TUPLE.SPORT) {
      s = this.port(this.label(s, SPORT), (orig ? c.origSport : c.replySport)[row] as number);
      s = this.label(s, DPORT);
      if (has & TUPLE.DPORT) s = this.port(s, (orig ? c.origDport : c.replyDport)[row] as number);
    }
    if (has & TUPLE.ICMP_TYPE) {
      s = this.number(this.label(s, TYPE), (orig ? c.origIcmpType : c.replyIcmpType)[row] as number);
      s = this.label(s, CODE);
      if (has & TUPLE.ICMP_CODE) s = this.number(s, (orig ? c.origIcmpCode : c.replyIcmpCode)[row] as number);
      s = this.label(s, ID);
      if (has & TUPLE.ICMP_ID) s = this.number(s, (orig ? c.origIcmpId : c.replyIcmpId)[row] as number);
    }
    return s;
  }

  matches(row: number): boolean {
    const m = this.m;
    if (m === 0) return true;
    const t = this.table;
    const c = t.columns;
    const flags = c.flags[row] as number;
    const protoNum = c.protoNum[row] as number;
    const state = c.state[row] as number;
    // "family proto state " from state 0: one lookup per combination.
    const headKey = (flags & HAS.IPV6 ? 1 << 16 : 0) | (protoNum << 8) | state;
    let head = headKey === this.lastHeadKey ? this.lastHead : this.heads.get(headKey);
    if (!head) this.heads.set(headKey, (head = this.vector(`${rowHeadText(t, flags, protoNum, state)} `)));
    this.lastHeadKey = headKey;
    this.lastHead = head;
    let s = head[0] as number;
    s = this.tuple(s, row, true);
    s = this.label(s, SPACE);
    s = this.tuple(s, row, false);
    s = this.label(s, SPACE);
    const bits = c.statusBits[row] as number;
    let status = bits === this.lastStatusBits ? this.lastStatus : this.statuses.get(bits);
    if (!status) this.statuses.set(bits, (status = this.vector(t.statusNames(bits).join(' '))));
    this.lastStatusBits = bits;
    this.lastStatus = status;
    s = status[s] as number;
    if (flags & HAS.MARK) s = this.number(this.label(s, MARK), c.mark[row] as number);
    if (flags & HAS.ZONE) s = this.number(this.label(s, ZONE), c.zone[row] as number);
    if (flags & HAS.EXTRA) {
      const extra = t.extra(row);
      if (extra?.helper !== undefined) s = this.walk(this.label(s, HELPER), extra.helper.toLowerCase());
      if (extra?.secctx !== undefined) s = this.walk(this.label(s, SECCTX), extra.secctx.toLowerCase());
    }
    if (flags & HAS.ID) s = this.number(this.label(s, ID), c.id[row] as number);
    return s === m;
  }
}

/**
 * True for rows whose search text holds every term (lower-cased), as searchTextPredicate decides for a
 * Flow: value by value for terms that cannot cross pieces (pieceTermPredicate), else through the text.
 */
export function rowSearchPredicate(table: FlowTable, terms: readonly string[]): RowPredicate {
  const matchers = terms.map((term) => {
    const lower = term.toLowerCase();
    const byPiece = pieceTermPredicate(table, lower);
    if (byPiece) return byPiece;
    const matcher = new RowTermMatcher(table, lower);
    return (row: number) => matcher.matches(row);
  });
  if (matchers.length === 1) return matchers[0] as RowPredicate;
  return (row) => {
    for (const matches of matchers) if (!matches(row)) return false;
    return true;
  };
}
