import type { Flow, Tuple } from '../flow';
import type { ByteSink } from './byte-sink';
import { formatFlowExtended, formatFlowPlain, type FormatOptions } from './format';

const L3_NUM = { ipv4: 2, ipv6: 10 } as const;
const PORT_PROTOS = new Set([6, 17, 136, 132, 33]);
const ICMP_PROTOS = new Set([1, 58]);
const SEEN_REPLY = 1 << 1;
const ASSURED = 1 << 2;
const OFFLOAD = (1 << 14) | (1 << 15);

function tuple(out: ByteSink, t: Tuple, protoNum: number): boolean {
  out.ascii('src=');
  out.ascii(t.src);
  out.ascii(' dst=');
  out.ascii(t.dst);
  out.byte(32);
  if (PORT_PROTOS.has(protoNum)) {
    out.ascii('sport=');
    out.uint(t.sport ?? 0);
    out.ascii(' dport=');
    out.uint(t.dport ?? 0);
    out.byte(32);
  } else if (ICMP_PROTOS.has(protoNum)) {
    out.ascii('type=');
    out.uint(t.icmpType ?? 0);
    out.ascii(' code=');
    out.uint(t.icmpCode ?? 0);
    out.ascii(' id=');
    out.uint(t.icmpId ?? 0);
    out.byte(32);
  } else return false;
  return true;
}

/** Entries whose line has parts only the string formatter prints (counters, timestamps, zones per direction...). */
function needsFullFormatter(flow: Flow, options: FormatOptions): boolean {
  return (
    flow.countersOrig !== undefined ||
    flow.countersReply !== undefined ||
    flow.timestampStart !== undefined ||
    flow.orig.zone !== undefined ||
    flow.reply.zone !== undefined ||
    flow.secctx !== undefined ||
    flow.helper !== undefined ||
    flow.labels !== undefined ||
    (flow.statusBits & OFFLOAD) !== 0 ||
    !!options.ktimestamp ||
    (!PORT_PROTOS.has(flow.protoNum) && !ICMP_PROTOS.has(flow.protoNum))
  );
}

/**
 * Writes one line exactly as formatFlowExtended / formatFlowPlain would (plus a newline), straight
 * into bytes. Entries with rarer fields go through the string formatter, so the layout lives in one place.
 */
export function writeFlowLine(out: ByteSink, flow: Flow, extended: boolean, options: FormatOptions = {}): void {
  if (needsFullFormatter(flow, options)) {
    out.ascii(extended ? formatFlowExtended(flow, options) : formatFlowPlain(flow, options));
    out.byte(10);
    return;
  }
  if (extended) {
    out.padded(flow.family, 8);
    out.byte(32);
    out.uint(L3_NUM[flow.family]);
    out.byte(32);
  }
  out.padded(flow.proto, 8);
  out.byte(32);
  out.uint(flow.protoNum);
  out.byte(32);
  if (flow.timeout !== undefined) {
    out.uint(flow.timeout);
    out.byte(32);
  }
  if (flow.state !== undefined) {
    out.ascii(flow.state);
    out.byte(32);
  }
  tuple(out, flow.orig, flow.protoNum);
  if ((flow.statusBits & SEEN_REPLY) === 0) out.ascii('[UNREPLIED] ');
  tuple(out, flow.reply, flow.protoNum);
  if ((flow.statusBits & ASSURED) !== 0) out.ascii('[ASSURED] ');
  if (flow.mark !== undefined) {
    out.ascii('mark=');
    out.uint(flow.mark);
    out.byte(32);
  }
  if (flow.zone !== undefined) {
    out.ascii('zone=');
    out.uint(flow.zone);
    out.byte(32);
  }
  if (flow.use !== undefined) {
    out.ascii('use=');
    out.uint(flow.use);
    out.byte(32);
  }
  if ((options.id ?? extended) && flow.id !== undefined) {
    out.ascii('id=');
    out.uint(flow.id);
    out.byte(32);
  }
  // Like the string formatter: no trailing space at the end of the line.
  out.backspace();
  out.byte(10);
}
