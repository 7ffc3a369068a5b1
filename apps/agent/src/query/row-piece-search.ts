import { protoNumberToName, TABLE_WIDTH, termAutomaton, TermMatcher } from '@ctscope/conntrack';
import { HAS, ORIG_SHIFT, REPLY_SHIFT, TUPLE } from '../mirror/columns';
import type { FlowTable } from '../mirror/flow-table';
import type { RowPredicate } from './row-filter';

/**
 * In a row's search text (writeRowSearchText) every value — a word of the head, an address, a number,
 * a status name, the helper, the security context — ends at a space or at the end, and starts after a
 * space or after a label's '='. A term with neither a space nor '=' in it therefore cannot run from one
 * piece into the next: it occurs in the text exactly when it occurs in one value, or in a label's word
 * ("sport", "id", …). Terms of that kind that no label word holds (most searches: "10500",
 * "10.0.0.1", "assured", "udp") are matched value by value here: each distinct address, head and status
 * once per query, numbers only for terms made of digits, and nothing is read that cannot hold the term.
 */
const LABEL_WORDS = ['src', 'dst', 'sport', 'dport', 'type', 'code', 'id', 'mark', 'zone', 'helper', 'secctx'];

/** Whether a lower-cased term occurs in a piece of text (ASCII, or lower-cased already). */
function containsTerm(term: string): (piece: string) => boolean {
  const matcher = new TermMatcher(term);
  return (piece) => {
    matcher.begin();
    matcher.text(piece);
    return matcher.found;
  };
}

/** A row's head in its search text, without the space after it: family, protocol and state. */
export function rowHeadText(table: FlowTable, flags: number, protoNum: number, state: number): string {
  const proto = table.protoName(protoNum);
  return `${flags & HAS.IPV6 ? 'ipv6' : 'ipv4'} ${proto === 'unknown' ? protoNumberToName(protoNum) : proto} ${state === 0 ? '' : table.stateName(state)}`;
}

/**
 * Whether the decimal digits of a 32-bit column's value hold a term made of digits: the term's automaton
 * run over the number three digits at a time (a table per state for every zero-padded group of three,
 * built once per query), so a ten-digit id costs four lookups and three multiplications. The value is
 * read here, not passed in: a value past 2^31 passed to a call that is not inlined is boxed.
 */
export function digitsContain(term: string): (column: Uint32Array, row: number) => boolean {
  const m = term.length;
  if (m > 10) return () => false;
  const { next } = termAutomaton(term);
  const step = (s: number, digit: number) => (s === m ? m : (next[s * TABLE_WIDTH + 48 + digit] as number));
  const padded = new Uint8Array((m + 1) * 1_000);
  for (let s = 0; s <= m; s++) {
    for (let group = 0; group < 1_000; group++) padded[s * 1_000 + group] = step(step(step(s, (group / 100) | 0), ((group / 10) | 0) % 10), group % 10);
  }
  // The leading group has no leading zeros: read from state 0 digit by digit.
  const leading = new Uint8Array(1_000);
  for (let group = 0; group < 1_000; group++) {
    let s = 0;
    for (const ch of String(group)) s = step(s, ch.charCodeAt(0) - 48);
    leading[group] = s;
  }
  // Five digits in a row always cover one whole group of three of the number's digits counted from the
  // right (its units, thousands or millions; the billions digit is never a whole group): a number none
  // of whose groups is one of the term's three-digit pieces cannot hold it. That settles most ids
  // without the automaton.
  const pieces = m >= 5 ? new Uint8Array(1_000) : undefined;
  for (let i = 0; pieces && i + 3 <= m; i++) pieces[Number(term.slice(i, i + 3))] = 1;
  // ⌊v / 1000⌋ as a multiplication (a division costs 3× as much): exact for every v below 2^32, as
  // (v + 0.5) / 1000 lies at least 0.0005 from an integer and the product's error is far below that.
  return (column, row) => {
    const value = column[row] as number;
    const q1 = ((value + 0.5) * 0.001) | 0;
    const units = value - q1 * 1_000;
    const q2 = ((q1 + 0.5) * 0.001) | 0;
    const thousands = q1 - q2 * 1_000;
    const top = ((q2 + 0.5) * 0.001) | 0;
    const millions = q2 - top * 1_000;
    if (pieces && !((pieces[units] as number) | (pieces[thousands] as number) | (pieces[millions] as number))) return false;
    let s: number;
    if (top > 0) s = padded[(padded[(padded[(leading[top] as number) * 1_000 + millions] as number) * 1_000 + thousands] as number) * 1_000 + units] as number;
    else if (millions > 0) s = padded[(padded[(leading[millions] as number) * 1_000 + thousands] as number) * 1_000 + units] as number;
    else if (thousands > 0) s = padded[(leading[thousands] as number) * 1_000 + units] as number;
    else s = leading[units] as number;
    return s === m;
  };
}

/** A predicate for one lower-cased term, or undefined when the term may cross pieces or match a label. */
export function pieceTermPredicate(table: FlowTable, term: string): RowPredicate | undefined {
  if (term.length === 0 || /[ =]/.test(term)) return undefined;
  const contains = containsTerm(term);
  if (LABEL_WORDS.some(contains)) return undefined;
  const c = table.columns;
  // Every pooled address once (there are at most four per row); none holding the term skips them all.
  const strings = table.addresses.strings;
  const addressHolds = new Uint8Array(strings.length);
  let anyAddress = false;
  for (let n = 0; n < strings.length; n++) if (strings[n] && contains(strings[n] as string)) {
    addressHolds[n] = 1;
    anyAddress = true;
  }
  const digitsOnly = /^[0-9]+$/.test(term);
  const number = digitsOnly ? digitsContain(term) : () => false;
  // Every 16-bit value (ports, ICMP types, codes and ids, zones) by table, built at once (~1 ms a query):
  // learning values lazily instead costs a check per lookup, 15 % more on a million rows.
  const shortHolds = new Uint8Array(digitsOnly ? 65_536 : 0);
  const value = new Uint32Array(1);
  for (let v = 0; v < shortHolds.length; v++) {
    value[0] = v;
    shortHolds[v] = number(value, 0) ? 1 : 0;
  }
  const heads = new Map<number, boolean>();
  const statuses = new Map<number, boolean>();
  const headHolds = (headKey: number, flags: number, protoNum: number, state: number) => {
    let held = heads.get(headKey);
    if (held === undefined) heads.set(headKey, (held = contains(rowHeadText(table, flags, protoNum, state))));
    return held;
  };
  const statusHolds = (bits: number) => {
    let held = statuses.get(bits);
    if (held === undefined) statuses.set(bits, (held = contains(table.statusNames(bits).join(' '))));
    return held;
  };
  const extraHolds = (row: number) => {
    const extra = table.extra(row);
    return (extra?.helper !== undefined && contains(extra.helper.toLowerCase())) || (extra?.secctx !== undefined && contains(extra.secctx.toLowerCase()));
  };
  const PORTS = TUPLE.SPORT | TUPLE.DPORT;
  const ICMP = TUPLE.ICMP_TYPE | TUPLE.ICMP_CODE | TUPLE.ICMP_ID;
  const numbersHold = (row: number) => {
    const flags = c.flags[row] as number;
    const orig = (flags >>> ORIG_SHIFT) & 0xff;
    const reply = (flags >>> REPLY_SHIFT) & 0xff;
    if ((orig | reply) & PORTS) {
      if (orig & TUPLE.SPORT && shortHolds[c.origSport[row] as number]) return true;
      if (orig & TUPLE.DPORT && shortHolds[c.origDport[row] as number]) return true;
      if (reply & TUPLE.SPORT && shortHolds[c.replySport[row] as number]) return true;
      if (reply & TUPLE.DPORT && shortHolds[c.replyDport[row] as number]) return true;
    }
    if ((orig | reply) & ICMP) {
      if (orig & TUPLE.ICMP_TYPE && shortHolds[c.origIcmpType[row] as number]) return true;
      if (orig & TUPLE.ICMP_CODE && shortHolds[c.origIcmpCode[row] as number]) return true;
      if (orig & TUPLE.ICMP_ID && shortHolds[c.origIcmpId[row] as number]) return true;
      if (reply & TUPLE.ICMP_TYPE && shortHolds[c.replyIcmpType[row] as number]) return true;
      if (reply & TUPLE.ICMP_CODE && shortHolds[c.replyIcmpCode[row] as number]) return true;
      if (reply & TUPLE.ICMP_ID && shortHolds[c.replyIcmpId[row] as number]) return true;
    }
    if (flags & HAS.ZONE && shortHolds[c.zone[row] as number]) return true;
    return (flags & HAS.MARK && number(c.mark, row)) || (flags & HAS.ID && number(c.id, row));
  };
  // Neighbouring rows mostly share their head and status: the last answers are kept at hand.
  let lastHeadKey = -1;
  let lastHead = false;
  let lastStatusBits = -1;
  let lastStatus = false;
  return (row) => {
    const flags = c.flags[row] as number;
    const headKey = (flags & HAS.IPV6 ? 1 << 16 : 0) | ((c.protoNum[row] as number) << 8) | (c.state[row] as number);
    if (headKey !== lastHeadKey) {
      lastHeadKey = headKey;
      lastHead = headHolds(headKey, flags, c.protoNum[row] as number, c.state[row] as number);
    }
    if (lastHead) return true;
    if (anyAddress && (addressHolds[c.origSrc[row] as number] || addressHolds[c.origDst[row] as number] || addressHolds[c.replySrc[row] as number] || addressHolds[c.replyDst[row] as number])) return true;
    const bits = c.statusBits[row] as number;
    if (bits !== lastStatusBits) {
      lastStatusBits = bits;
      lastStatus = statusHolds(bits);
    }
    if (lastStatus) return true;
    if (digitsOnly && numbersHold(row)) return true;
    return (flags & HAS.EXTRA) !== 0 && extraHolds(row);
  };
}
