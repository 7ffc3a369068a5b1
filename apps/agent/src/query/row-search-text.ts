import { TermMatcher, protoNumberToName, type SearchTextSink } from '@ctscope/conntrack';
import { HAS, ORIG_SHIFT, REPLY_SHIFT, TUPLE } from '../mirror/columns';
import type { FlowTable } from '../mirror/flow-table';
import type { RowPredicate } from './row-filter';

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

/** True for rows whose search text holds every term (lower-cased), as searchTextPredicate decides for a Flow. */
export function rowSearchPredicate(table: FlowTable, terms: readonly string[]): RowPredicate {
  const matchers = terms.map((term) => new TermMatcher(term.toLowerCase()));
  return (row) => {
    for (const matcher of matchers) {
      matcher.begin();
      writeRowSearchText(table, row, matcher);
      if (!matcher.found) return false;
    }
    return true;
  };
}
