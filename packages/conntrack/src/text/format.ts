/** Writes flows in the exact layout of `conntrack -L` (libnetfilter_conntrack's default output). */
import type { Counters, Flow, Tuple } from '../flow';
import { formatCtime } from './ctime';

export interface FormatOptions {
  /** Print id= (`-o id`). Default: true for formatFlowExtended, false for formatFlowPlain. */
  id?: boolean;
  /** Print [start=…] [stop=…] (`-o ktimestamp`). Default false. */
  ktimestamp?: boolean;
  /** Epoch seconds for delta-time= of entries that are still alive (default: now). */
  nowSeconds?: number;
  /** Label bit → name (connlabel.conf); without it labels print as bit numbers. */
  labelNames?: ReadonlyMap<number, string>;
}

const L3_NUM = { ipv4: 2, ipv6: 10 } as const;
const PORT_PROTOS = new Set([6, 17, 136, 132, 33]);
const ICMP_PROTOS = new Set([1, 58]);
const GRE = 47;
const NS_PER_S = 1_000_000_000n;

const pad8 = (s: string) => s.padEnd(8, ' ');

/** `src=… dst=… sport=… dport=… ` (the address keys prefixed for expectations: `mask-src=`, `master-src=`). */
export function tuple(t: Tuple, protoNum: number, prefix = ''): string {
  let out = `${prefix}src=${t.src} ${prefix}dst=${t.dst} `;
  if (PORT_PROTOS.has(protoNum)) out += `sport=${t.sport ?? 0} dport=${t.dport ?? 0} `;
  else if (ICMP_PROTOS.has(protoNum)) out += `type=${t.icmpType ?? 0} code=${t.icmpCode ?? 0} id=${t.icmpId ?? 0} `;
  else if (protoNum === GRE) out += `srckey=0x${(t.sport ?? 0).toString(16)} dstkey=0x${(t.dport ?? 0).toString(16)} `;
  return out;
}

const counters = (c: Counters | undefined) => (c ? `packets=${c.packets} bytes=${c.bytes} ` : '');

function format(flow: Flow, layer3: boolean, options: FormatOptions, defaultId: boolean): string {
  let out = '';
  if (layer3) out += `${pad8(flow.family)} ${L3_NUM[flow.family]} `;
  out += `${pad8(flow.proto)} ${flow.protoNum} `;
  if (flow.timeout !== undefined) out += `${flow.timeout} `;
  if (flow.state !== undefined) out += `${flow.state} `;
  out += tuple(flow.orig, flow.protoNum);
  if (flow.orig.zone !== undefined) out += `zone-orig=${flow.orig.zone} `;
  out += counters(flow.countersOrig);
  if (!flow.status.includes('SEEN_REPLY')) out += '[UNREPLIED] ';
  out += tuple(flow.reply, flow.protoNum);
  if (flow.reply.zone !== undefined) out += `zone-reply=${flow.reply.zone} `;
  out += counters(flow.countersReply);
  if (flow.status.includes('HW_OFFLOAD')) out += '[HW_OFFLOAD] ';
  else if (flow.status.includes('OFFLOAD')) out += '[OFFLOAD] ';
  else if (flow.status.includes('ASSURED')) out += '[ASSURED] ';
  if (flow.mark !== undefined) out += `mark=${flow.mark} `;
  if (flow.secctx !== undefined) out += `secctx=${flow.secctx} `;
  if (flow.zone !== undefined) out += `zone=${flow.zone} `;
  if (flow.timestampStart !== undefined) {
    const startS = flow.timestampStart / NS_PER_S;
    const stopS = flow.timestampStop !== undefined ? flow.timestampStop / NS_PER_S : BigInt(Math.floor(options.nowSeconds ?? Date.now() / 1000));
    out += `delta-time=${stopS - startS} `;
    if (options.ktimestamp) {
      out += `[start=${formatCtime(Number(startS))}] `;
      if (flow.timestampStop !== undefined) out += `[stop=${formatCtime(Number(flow.timestampStop / NS_PER_S))}] `;
    }
  }
  if (flow.helper !== undefined) out += `helper=${flow.helper} `;
  if (flow.use !== undefined) out += `use=${flow.use} `;
  if ((options.id ?? defaultId) && flow.id !== undefined) out += `id=${flow.id} `;
  if (flow.labels?.length) out += `labels=${flow.labels.map((b) => options.labelNames?.get(b) ?? String(b)).join(',')} `;
  return out.slice(0, -1);
}

/** A line as `conntrack -L -o extended,id` prints it (layer 3 name and number first). */
export function formatFlowExtended(flow: Flow, options: FormatOptions = {}): string {
  return format(flow, true, options, true);
}

/** A line as `conntrack -L` prints it (add `id: true` for `-o id`). */
export function formatFlowPlain(flow: Flow, options: FormatOptions = {}): string {
  return format(flow, false, options, false);
}

const EVENT_PREFIX = { NEW: '    [NEW] ', UPDATE: ' [UPDATE] ', DESTROY: '[DESTROY] ' } as const;

/** An event line as `conntrack -E -o extended,id` prints it (without a [USERSPACE] suffix). */
export function formatFlowEvent(type: keyof typeof EVENT_PREFIX, flow: Flow, options: FormatOptions & { extended?: boolean } = {}): string {
  return EVENT_PREFIX[type] + format(flow, options.extended ?? true, options, options.extended ?? true);
}
