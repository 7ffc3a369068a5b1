/** Parser for `conntrack -L` lines: plain, `-o extended`, `-o id`, `-o ktimestamp`, and their mix. */
import { PROTO_NUMBERS, STATUS_BITS, protoName, type Counters, type Family, type Flow, type L4ProtoName, type StatusFlag, type Tuple } from '../flow';
import { parseAddressCached } from '../filter/address';
import { deriveNat } from '../nat';
import { parseCtime } from './ctime';
import { TextParseError } from './errors';
import { TokenReader, scanTokens } from './scan';

export interface TextParseOptions {
  /** Epoch seconds the CLI printed at, to turn delta-time= into a start time (default: now). */
  nowSeconds?: number;
  /**
   * Whether the entries are confirmed (true for the conntrack table and events; false for the
   * unconfirmed table). The text does not show the CONFIRMED bit.
   */
  confirmed?: boolean;
  /** connlabel.conf names → bit numbers, for `labels=` (numeric names are read as bit numbers). */
  labelBits?: ReadonlyMap<string, number>;
}

const L3: Readonly<Record<string, { family: Family | undefined; num: number }>> = {
  ipv4: { family: 'ipv4', num: 2 },
  ipv6: { family: 'ipv6', num: 10 },
};
const PORT_PROTOS = new Set([6, 17, 136, 132, 33]);
const ICMP_PROTOS = new Set([1, 58]);
const GRE = 47;
const U16 = 0xffff;
const U32 = 0xffffffff;

const BIT: Readonly<Record<StatusFlag, number>> = Object.fromEntries(STATUS_BITS.map((flag, i) => [flag, 1 << i])) as Record<StatusFlag, number>;
const PROTO_NAMES: readonly L4ProtoName[] = Array.from({ length: 256 }, (_, n) => protoName(n));
const STATUS_BY_BITS = new Map<number, StatusFlag[]>();

/** Status names for a bit set; the few combinations seen in practice are shared, not rebuilt per line. */
function statusNames(bits: number): StatusFlag[] {
  let names = STATUS_BY_BITS.get(bits);
  if (names === undefined) {
    names = STATUS_BITS.filter((_, i) => (bits & (1 << i)) !== 0);
    STATUS_BY_BITS.set(bits, names);
  }
  return [...names];
}

function readNumber(reader: TokenReader, key: string, max: number): number {
  const at = reader.position();
  return reader.uint(reader.value(key), max, key, at);
}

function readGreKey(reader: TokenReader, key: string): number {
  const at = reader.position();
  const text = reader.value(key);
  if (!/^0x[0-9a-f]{1,4}$/.test(text)) reader.fail(`expected ${key}=0x…`, at);
  return parseInt(text.slice(2), 16);
}

function readTuple(reader: TokenReader, protoNum: number): Tuple {
  const srcAt = reader.position();
  const src = reader.value('src');
  const dstAt = reader.position();
  const dst = reader.value('dst');
  if (parseAddressCached(src) === null) reader.fail('expected an IP address in src=', srcAt);
  if (parseAddressCached(dst) === null) reader.fail('expected an IP address in dst=', dstAt);
  const tuple: Tuple = { src, dst, protoNum };
  if (PORT_PROTOS.has(protoNum)) {
    tuple.sport = readNumber(reader, 'sport', U16);
    tuple.dport = readNumber(reader, 'dport', U16);
  } else if (ICMP_PROTOS.has(protoNum)) {
    tuple.icmpType = readNumber(reader, 'type', 255);
    tuple.icmpCode = readNumber(reader, 'code', 255);
    tuple.icmpId = readNumber(reader, 'id', U16);
  } else if (protoNum === GRE) {
    tuple.sport = readGreKey(reader, 'srckey');
    tuple.dport = readGreKey(reader, 'dstkey');
  }
  return tuple;
}

function readCounters(reader: TokenReader): Counters | undefined {
  const at = reader.position();
  const packets = reader.optionalValue('packets');
  if (packets === undefined) return undefined;
  const bytes = reader.value('bytes');
  if (!/^\d{1,20}$/.test(packets) || !/^\d{1,20}$/.test(bytes)) reader.fail('expected packets=N bytes=N', at);
  return { packets: BigInt(packets), bytes: BigInt(bytes) };
}

/**
 * Parses the flow part of a line (after any event prefix) from `reader`. Status bits are rebuilt
 * from what the text shows: SEEN_REPLY ([UNREPLIED] absent), ASSURED / OFFLOAD / HW_OFFLOAD
 * markers, CONFIRMED (per options), SRC_NAT(_DONE) / DST_NAT(_DONE) when the reply tuple is not the
 * mirrored original. Other bits (EXPECTED, FIXED_TIMEOUT, HELPER, ...) are not shown by the CLI.
 */
export function readFlow(reader: TokenReader, options: TextParseOptions = {}): Flow {
  let family: Family | undefined;
  const first = reader.peek();
  if (first && L3[first.text]) {
    reader.next();
    const l3 = L3[first.text];
    const numAt = reader.position();
    const num = reader.next()?.text;
    if (num !== String(l3?.num)) reader.fail(`expected ${l3?.num} after ${first.text}`, numAt);
    family = l3?.family;
  }
  const nameAt = reader.position();
  const name = reader.next()?.text ?? reader.fail('expected a protocol name');
  if (name !== 'unknown' && PROTO_NUMBERS[name] === undefined) reader.fail('expected a protocol name (tcp, udp, icmp, ...)', nameAt);
  const numAt = reader.position();
  const protoNum = reader.uint(reader.next()?.text ?? '', 255, 'a protocol number', numAt);
  if (name !== 'unknown' && PROTO_NUMBERS[name] !== protoNum) reader.fail(`protocol ${name} is not number ${protoNum}`, numAt);
  if (name === 'unknown' && PROTO_NAMES[protoNum] !== 'unknown') reader.fail(`protocol ${protoNum} should be printed as ${protoName(protoNum)}`, numAt);

  const flow: Partial<Flow> & { status: StatusFlag[]; statusBits: number } = { status: [], statusBits: 0 };
  if (/^\d+$/.test(reader.peek()?.text ?? '')) {
    const at = reader.position();
    flow.timeout = reader.uint(reader.next()?.text ?? '', U32, 'a timeout', at);
  }
  const stateToken = /^[A-Z][A-Z0-9_]*$/.test(reader.peek()?.text ?? '') ? reader.next() : undefined;
  if (stateToken) flow.state = stateToken.text;

  const orig = readTuple(reader, protoNum);
  const zoneOrig = reader.optionalValue('zone-orig');
  if (zoneOrig !== undefined) orig.zone = reader.uint(zoneOrig, U16, 'zone-orig', reader.lastStart());
  const countersOrig = readCounters(reader);
  const unreplied = reader.optional('[UNREPLIED]');
  const reply = readTuple(reader, protoNum);
  const zoneReply = reader.optionalValue('zone-reply');
  if (zoneReply !== undefined) reply.zone = reader.uint(zoneReply, U16, 'zone-reply', reader.lastStart());
  const countersReply = readCounters(reader);

  let bits = 0;
  if (!unreplied) bits |= BIT.SEEN_REPLY;
  if (reader.optional('[HW_OFFLOAD]')) bits |= BIT.HW_OFFLOAD | BIT.OFFLOAD;
  else if (reader.optional('[OFFLOAD]')) bits |= BIT.OFFLOAD;
  else if (reader.optional('[ASSURED]')) bits |= BIT.ASSURED;
  if (options.confirmed !== false) bits |= BIT.CONFIRMED;
  const nat = deriveNat(orig, reply);
  if (nat?.src) bits |= BIT.SRC_NAT | BIT.SRC_NAT_DONE;
  if (nat?.dst) bits |= BIT.DST_NAT | BIT.DST_NAT_DONE;

  readTail(reader, flow, options);

  const result: Flow = {
    family: family ?? (orig.src.includes(':') ? 'ipv6' : 'ipv4'),
    proto: PROTO_NAMES[protoNum] ?? 'unknown',
    protoNum,
    orig,
    reply,
    status: statusNames(bits),
    statusBits: bits >>> 0,
  };
  if (flow.state !== undefined) result.state = flow.state;
  if (flow.timeout !== undefined) result.timeout = flow.timeout;
  if (flow.mark !== undefined) result.mark = flow.mark;
  if (flow.secctx !== undefined) result.secctx = flow.secctx;
  if (flow.zone !== undefined) result.zone = flow.zone;
  if (flow.timestampStart !== undefined) result.timestampStart = flow.timestampStart;
  if (flow.timestampStop !== undefined) result.timestampStop = flow.timestampStop;
  if (flow.helper !== undefined) result.helper = flow.helper;
  if (flow.use !== undefined) result.use = flow.use;
  if (flow.id !== undefined) result.id = flow.id;
  if (flow.labels !== undefined) result.labels = flow.labels;
  if (countersOrig) result.countersOrig = countersOrig;
  if (countersReply) result.countersReply = countersReply;
  if (nat) result.nat = nat;
  return result;
}

const NS_PER_S = 1_000_000_000n;

function readTail(reader: TokenReader, flow: Partial<Flow>, options: TextParseOptions): void {
  let seen = '';
  let delta: number | undefined;
  while (!reader.done()) {
    const token = reader.peek();
    if (token === undefined) break;
    const text = token.text;
    if (text === '[USERSPACE]' || text.startsWith('portid=') || text.startsWith('progname=')) break;
    reader.next();
    const eq = text.indexOf('=');
    const bracketed = text.startsWith('[') && text.endsWith(']');
    const key = bracketed ? text.slice(1, eq) : text.slice(0, eq);
    const value = bracketed ? text.slice(eq + 1, -1) : text.slice(eq + 1);
    if (eq < 0 || seen.includes(` ${key} `)) reader.fail(eq < 0 ? 'expected key=value' : `${key}= given twice`, token.start);
    seen += ` ${key} `;
    const at = token.start;
    switch (key) {
      case 'mark':
        flow.mark = reader.uint(value, U32, key, at);
        break;
      case 'secmark':
        reader.uint(value, U32, key, at); // not part of the Flow model
        break;
      case 'secctx':
        flow.secctx = value;
        break;
      case 'zone':
        flow.zone = reader.uint(value, U16, key, at);
        break;
      case 'delta-time':
        delta = reader.uint(value, U32, key, at);
        break;
      case 'start':
      case 'stop': {
        if (!bracketed) reader.fail(`expected [${key}=…]`, token.start);
        const seconds = parseCtime(value);
        if (seconds === null) reader.fail(`expected a ctime() date in [${key}=…]`, token.start);
        flow[key === 'start' ? 'timestampStart' : 'timestampStop'] = BigInt(seconds) * NS_PER_S;
        break;
      }
      case 'helper':
        flow.helper = value;
        break;
      case 'use':
        flow.use = reader.uint(value, U32, key, at);
        break;
      case 'id':
        flow.id = reader.uint(value, U32, key, at);
        break;
      case 'labels':
        flow.labels = value.split(',').map((name) => {
          const bitNum = options.labelBits?.get(name) ?? (/^\d{1,3}$/.test(name) ? Number(name) : undefined);
          if (bitNum === undefined) reader.fail(`unknown label name "${name}" (pass labelBits)`, token.start);
          return bitNum;
        });
        break;
      default:
        reader.fail(`unexpected field ${key}=`, token.start);
    }
  }
  if (delta !== undefined && flow.timestampStart === undefined) {
    const stop = flow.timestampStop !== undefined ? flow.timestampStop / NS_PER_S : BigInt(Math.floor(options.nowSeconds ?? Date.now() / 1000));
    flow.timestampStart = (stop - BigInt(delta)) * NS_PER_S;
  }
}

/** Parses one line of `conntrack -L [-o extended,id,ktimestamp]` output. */
export function parseConntrackLine(line: string, options: TextParseOptions = {}): Flow {
  const reader = new TokenReader(line, scanTokens(line));
  const flow = readFlow(reader, options);
  if (!reader.done()) reader.fail('expected the end of the line');
  return flow;
}

/** The summary line conntrack writes to stderr ("conntrack v1.4.7 (conntrack-tools): 5 flow entries have been shown."). */
const SUMMARY = /^conntrack v[\d.]+ \(conntrack-tools\): /;

/** Parses all entry lines of a `conntrack -L` output; blank lines and the summary line are skipped. */
export function parseConntrackText(text: string, options: TextParseOptions = {}): Flow[] {
  const flows: Flow[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || SUMMARY.test(line)) continue;
    flows.push(parseConntrackLine(line, options));
  }
  return flows;
}

export { TextParseError };
