/**
 * The byte-level fast path of a batch, for the lines that make most of a big one: `-I`/`-A` with
 * `-s`/`-d` (plain IPv4), `-p tcp|udp`, `--sport`/`--dport`, `--state` (tcp), `-t` and `-u`, each at most
 * once. Such a line is encoded straight from the file's bytes into the batch's message buffer, with no
 * strings, words or command objects: a short-lived CLI runs this code cold, and ten thousand lines
 * through the general objects cost more than conntrack's whole run. Anything else, and the first line
 * of each option shape (so that fastCreateLine() checks that shape against conntrack's option table,
 * with its messages), is left to the caller's string path: this one answers undefined. A line with
 * the options of the last one encode() took, in the same order, is read faster still by match()
 * (fast-match.ts). Later messages of a shape are its first one copied, with their own values.
 */
import { CTA, CTA_IP, CTA_PROTO, CTA_PROTOINFO, CTA_TUPLE, IPCTNL_MSG_CT_NEW, NFNL_SUBSYS_CTNETLINK, NLA_F_NESTED, NLM_F_CREATE, NLM_F_EXCL, PROTO } from '../ctnetlink/constants';
import type { AttrBuffer } from './attr-buffer';
import { knownStatus } from './fast-line';
import { K, KIND_OF_BIT, linePattern, quad } from './fast-match';
import { PROTO_HANDLERS } from './options';

/** A create encoded here, as batch.ts's CreateStep has it. */
export interface FastCreate {
  start: number;
  end: number;
  add: boolean;
  family: 'ipv4';
  zone: undefined;
}

const CT_NEW = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
const AF_INET = 2;
const IPS_CONFIRMED = 1 << 3;
const TCP_TIME_WAIT = 7;
const CTA_TCP = { STATE: 1, FLAGS_ORIGINAL: 4, FLAGS_REPLY: 5 } as const;
/** TCP flags libnetfilter_conntrack sets on a create: BE_LIBERAL | SACK_PERM, and CLOSE_INIT from TIME_WAIT on. */
const TCP_FLAGS = 0x08 | 0x02;
const TCP_CLOSE_INIT = 0x04;
/** Room for the longest message this path writes (tcp with every option: 20 + 2 × 52 + 8 + 8 + 32 = 172). */
const MAX_MESSAGE = 192;
const TCP_STATES: readonly string[] = PROTO_HANDLERS.find((h) => h.name === 'tcp')?.states ?? [];

// Option bits of this path (not CT_OPT_*: they only tell shapes apart).
const S = 1, D = 2, P = 4, T = 8, U = 16, SPORT = 32, DPORT = 64, STATE = 128, ADD = 256, UDP = 512;

/** 1 for the bytes that separate words (a table, not a function: this code runs cold, where calls cost most). */
const BLANK = new Uint8Array(256);
for (const c of [32, 9, 13, 10]) BLANK[c] = 1;

function put16le(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 255;
  b[at + 1] = (v >>> 8) & 255;
}

function put16be(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 8) & 255;
  b[at + 1] = v & 255;
}

function put32be(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 24) & 255;
  b[at + 1] = (v >>> 16) & 255;
  b[at + 2] = (v >>> 8) & 255;
  b[at + 3] = v & 255;
}

/** An attribute header, then a big-endian value of `size` bytes, padded to 4: the position after it. */
function attr(b: Uint8Array, at: number, type: number, size: 1 | 2 | 4, v: number): number {
  put16le(b, at, 4 + size);
  put16le(b, at + 2, type);
  put32be(b, at + 4, 0);
  if (size === 1) b[at + 4] = v;
  else if (size === 2) {
    b[at + 4] = (v >>> 8) & 255;
    b[at + 5] = v & 255;
  } else put32be(b, at + 4, v);
  return at + 8;
}

/** A nest's header at `at` once its contents end at `end`. */
function nest(b: Uint8Array, at: number, type: number, end: number): number {
  put16le(b, at, end - at);
  put16le(b, at + 2, type | NLA_F_NESTED);
  return end;
}

function tuple(b: Uint8Array, at: number, type: number, src: number, dst: number, proto: number, ports: boolean, sport: number, dport: number): number {
  let p = at + 8;
  p = attr(b, p, CTA_IP.V4_SRC, 4, src);
  p = attr(b, p, CTA_IP.V4_DST, 4, dst);
  nest(b, at + 4, CTA_TUPLE.IP, p);
  const protoAt = p;
  p = attr(b, p + 4, CTA_PROTO.NUM, 1, proto);
  if (ports) {
    p = attr(b, p, CTA_PROTO.SRC_PORT, 2, sport);
    p = attr(b, p, CTA_PROTO.DST_PORT, 2, dport);
  }
  nest(b, protoAt, CTA_TUPLE.PROTO, p);
  return nest(b, at, type, p);
}

/** Decimal digits only, at most `max` of them: their value, else -1. */
function digits(b: Uint8Array, from: number, to: number, max: number): number {
  if (to === from || to - from > max) return -1;
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = (b[i] as number) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** A dotted quad (1-3 digits per part, each at most 255), else -1. */
function ipv4(b: Uint8Array, from: number, to: number): number {
  let value = 0;
  let part = 0;
  let partDigits = 0;
  let dots = 0;
  for (let i = from; i < to; i++) {
    const c = b[i] as number;
    if (c === 46) {
      if (partDigits === 0 || ++dots > 3) return -1;
      value = value * 256 + part;
      part = 0;
      partDigits = 0;
    } else if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      if (++partDigits > 3 || part > 255) return -1;
    } else return -1;
  }
  if (dots !== 3 || partDigits === 0) return -1;
  return (value * 256 + part) >>> 0;
}

function same(b: Uint8Array, from: number, to: number, word: Uint8Array): boolean {
  if (to - from !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (b[from + i] !== word[i]) return false;
  return true;
}

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const W = { sport: ascii('--sport'), dport: ascii('--dport'), state: ascii('--state'), tcp: ascii('tcp'), udp: ascii('udp') };

/** The same few values recur through a batch: each lookup remembers its last word. */
class LastWord {
  private word = new Uint8Array(0);
  private value = -1;

  get(b: Uint8Array, from: number, to: number, look: (text: string) => number): number {
    if (same(b, from, to, this.word)) return this.value;
    const value = look(Buffer.from(b.buffer, b.byteOffset + from, to - from).toString('latin1'));
    if (value >= 0) {
      this.word = b.slice(from, to);
      this.value = value;
    }
    return value;
  }
}

/** Where the values of a message shape sit, from its start. */
interface Offsets {
  src: number;
  dst: number;
  replySrc: number;
  replyDst: number;
  ports: boolean;
  sport: number;
  dport: number;
  replySport: number;
  replyDport: number;
  status: number;
  timeout: number;
  state: number;
  flags: number;
}

/** The slots of encodeRepeats()'s spec (native/nfbatch.c has the same list). */
const enum R {
  At, ArenaAt, MaxLines, Letter, KindCount, Kinds,
  TemplateStart = Kinds + 8, TemplateLength,
  OffSrc, OffDst, OffReplySrc, OffReplyDst, Ports, OffSport, OffDport, OffReplySport, OffReplyDport,
  OffStatus, Status, OffTimeout, OffState, State, OffFlags, Flags,
  RefAt,
  Slots,
}

/** The addon's encodeRepeats(). */
export type EncodeRepeats = (text: Buffer, spec: Int32Array, arena: Buffer) => number;

/** Lines per encodeRepeats() call at most (their messages' room is asked for first). */
const REPEAT_CHUNK = 4096;

export class FastCreateEncoder {
  /** By shape: the first message this encoder wrote whole, which later lines of the shape copy. */
  private readonly templates = new Map<number, { start: number; length: number; offsets: Offsets }>();
  /** Option shapes fastCreateLine() has read (and so checked) once. */
  private readonly shapes = new Set<number>();
  private readonly states = new LastWord();
  private readonly statuses = new LastWord();
  /** The shape of the last line encode() read whole but left to the caller, as it was new; else -1. */
  newShape = -1;
  /** The options of the last line encode() took, in their order (linePattern()'s key); 0: none yet. */
  private order = 0;
  /** Where the line match() or repeat() took ends (the next line's start). */
  end = 0;
  /** The last message emit() wrote: its shape and the values repeat() copies from it. */
  private lastBits = -1;
  private lastState = -1;
  private lastStatus = 0;
  private readonly spec = new Int32Array(R.Slots);

  /** Whether match() can take a line: encode() has taken one (whose order of options it reads). */
  get canMatch(): boolean {
    return this.order !== 0;
  }

  /** Tells the encoder that fastCreateLine() took a line of the shape encode() last left as new. */
  learn(shape: number): void {
    if (shape >= 0) this.shapes.add(shape);
  }

  /** Encodes the line at b[from, to) into `out`; undefined when the caller must read it. */
  encode(b: Uint8Array, from: number, to: number, out: AttrBuffer): FastCreate | undefined {
    this.newShape = -1;
    let i = from;
    while (i < to && BLANK[b[i] as number] === 1) i++;
    if (to - i < 2 || b[i] !== 45 || (b[i + 1] !== 73 && b[i + 1] !== 65) || (i + 2 < to && BLANK[b[i + 2] as number] !== 1)) return undefined;
    let bits = b[i + 1] === 65 ? ADD : 0;
    i += 2;
    let src = 0, dst = 0, sport = 0, dport = 0, state = -1, timeout = 0, status = 0;
    let order = 0;
    for (;;) {
      while (i < to && BLANK[b[i] as number] === 1) i++;
      if (i >= to) break;
      const os = i;
      while (i < to && BLANK[b[i] as number] !== 1) i++;
      const oe = i;
      while (i < to && BLANK[b[i] as number] === 1) i++;
      const vs = i;
      while (i < to && BLANK[b[i] as number] !== 1) i++;
      const ve = i;
      if (ve === vs) return undefined;
      let bit: number;
      if (oe - os === 2 && b[os] === 45) {
        const letter = b[os + 1];
        if (letter === 115 || letter === 100) {
          const address = ipv4(b, vs, ve);
          if (address < 0) return undefined;
          if (letter === 115) src = address;
          else dst = address;
          bit = letter === 115 ? S : D;
        } else if (letter === 112) {
          if (same(b, vs, ve, W.tcp)) bit = P;
          else if (same(b, vs, ve, W.udp)) bit = P | UDP;
          else return undefined;
        } else if (letter === 116) {
          timeout = digits(b, vs, ve, 9);
          if (timeout < 0) return undefined;
          bit = T;
        } else if (letter === 117) {
          status = this.statuses.get(b, vs, ve, (text) => knownStatus(text) ?? -1);
          if (status < 0) return undefined;
          bit = U;
        } else return undefined;
      } else if ((bits & P) === 0) return undefined;
      else if (same(b, os, oe, W.sport) || same(b, os, oe, W.dport)) {
        const port = digits(b, vs, ve, 5);
        if (port < 0) return undefined;
        if (b[os + 2] === 115) sport = port % 65536;
        else dport = port % 65536;
        bit = b[os + 2] === 115 ? SPORT : DPORT;
      } else if (same(b, os, oe, W.state) && (bits & UDP) === 0) {
        state = this.states.get(b, vs, ve, (text) => (text === 'LISTEN' ? 9 : TCP_STATES.indexOf(text)));
        if (state < 0) return undefined;
        bit = STATE;
      } else return undefined;
      // Bytes outside the values read, like a quote, cannot appear: every word was matched whole.
      if (bits & bit) return undefined;
      bits |= bit;
      order = order * 16 + (KIND_OF_BIT[bit & ~UDP] as number);
    }
    if ((bits & (S | D)) !== (S | D)) return undefined;
    if (!this.shapes.has(bits)) {
      this.newShape = bits;
      return undefined;
    }
    this.order = order;
    return this.emit(bits, src, dst, sport, dport, state, timeout, status, out);
  }

  /**
   * The line at `at` in the batch's text (decoded as latin1, one character per byte) when it has the
   * options of the last line encode() took, in the same order: one sticky regular expression reads it
   * (native code, fast from the first line on). `end` is then where the next line starts.
   */
  match(text: string, at: number, out: AttrBuffer): FastCreate | undefined {
    if (this.order === 0) return undefined;
    const pattern = linePattern(this.order);
    pattern.regex.lastIndex = at;
    const m = pattern.regex.exec(text);
    if (!m) return undefined;
    let bits = m[1] === 'A' ? ADD : 0;
    let src = 0, dst = 0, sport = 0, dport = 0, state = -1, timeout = 0, status = 0;
    let c = 2;
    for (const kind of pattern.kinds) {
      if (kind === K.S || kind === K.D) {
        const address = quad(m[c] as string, m[c + 1] as string, m[c + 2] as string, m[c + 3] as string);
        c += 4;
        if (address < 0) return undefined;
        if (kind === K.S) src = address;
        else dst = address;
        bits |= kind === K.S ? S : D;
        continue;
      }
      const value = m[c++] as string;
      if (kind === K.P) bits |= value === 'udp' ? P | UDP : P;
      else if (kind === K.SPORT) {
        sport = Number(value) % 65536;
        bits |= SPORT;
      } else if (kind === K.DPORT) {
        dport = Number(value) % 65536;
        bits |= DPORT;
      } else if (kind === K.STATE) {
        state = value === 'LISTEN' ? 9 : TCP_STATES.indexOf(value);
        if (state < 0 || bits & UDP) return undefined;
        bits |= STATE;
      } else if (kind === K.T) {
        timeout = Number(value);
        bits |= T;
      } else {
        status = knownStatus(value) ?? -1;
        if (status < 0) return undefined;
        bits |= U;
      }
    }
    if (!this.templates.has(bits)) return undefined;
    this.end = pattern.regex.lastIndex;
    return this.emit(bits, src, dst, sport, dport, state, timeout, status, out);
  }

  /**
   * With the addon: encodes the lines from `at` on that repeat the line at `refAt` (the last one
   * encode() or match() took), pushing their steps; at most `maxLines`. Returns how many (0: the line
   * at `at` is not such a line), or -1 when the line at `refAt` is outside what the addon reads.
   */
  repeat(encodeRepeats: EncodeRepeats, text: Buffer, at: number, refAt: number, maxLines: number, out: AttrBuffer, steps: { push(step: FastCreate): number }): number {
    const template = this.templates.get(this.lastBits);
    if (!template || this.order === 0) return -1;
    const { kinds } = linePattern(this.order);
    const o = template.offsets;
    const s = this.spec;
    const lines = Math.min(maxLines, REPEAT_CHUNK);
    s[R.At] = at;
    s[R.ArenaAt] = out.length;
    s[R.MaxLines] = lines;
    s[R.Letter] = this.lastBits & ADD ? 65 : 73;
    s[R.KindCount] = kinds.length;
    for (let k = 0; k < kinds.length; k++) s[R.Kinds + k] = kinds[k] as number;
    s[R.TemplateStart] = template.start;
    s[R.TemplateLength] = template.length;
    s[R.OffSrc] = o.src;
    s[R.OffDst] = o.dst;
    s[R.OffReplySrc] = o.replySrc;
    s[R.OffReplyDst] = o.replyDst;
    s[R.Ports] = o.ports ? 1 : 0;
    s[R.OffSport] = o.sport;
    s[R.OffDport] = o.dport;
    s[R.OffReplySport] = o.replySport;
    s[R.OffReplyDport] = o.replyDport;
    s[R.OffStatus] = o.status;
    s[R.Status] = this.lastStatus | IPS_CONFIRMED;
    s[R.OffTimeout] = o.timeout;
    s[R.OffState] = o.state;
    s[R.State] = this.lastState;
    s[R.OffFlags] = o.flags;
    s[R.Flags] = tcpFlags(this.lastState);
    s[R.RefAt] = refAt;
    const first = out.length;
    const count = encodeRepeats(text, s, out.writable(lines * template.length));
    if (count <= 0) return count;
    out.commit(s[R.ArenaAt] as number);
    this.end = s[R.At] as number;
    const add = (this.lastBits & ADD) !== 0;
    for (let i = 0, start = first; i < count; i++, start += template.length) steps.push({ start, end: start + template.length, add, family: 'ipv4', zone: undefined });
    return count;
  }

  private emit(bits: number, src: number, dst: number, sport: number, dport: number, state: number, timeout: number, status: number, out: AttrBuffer): FastCreate {
    this.lastBits = bits;
    this.lastState = state;
    this.lastStatus = status;
    const start = out.length;
    const buf = out.writable(MAX_MESSAGE);
    let end: number;
    const template = this.templates.get(bits);
    if (template) {
      // The shape's first message, copied, with this line's values in place.
      end = start + template.length;
      buf.copyWithin(start, template.start, template.start + template.length);
      const at = template.offsets;
      put32be(buf, start + at.src, src);
      put32be(buf, start + at.dst, dst);
      put32be(buf, start + at.replySrc, dst);
      put32be(buf, start + at.replyDst, src);
      if (at.ports) {
        put16be(buf, start + at.sport, sport);
        put16be(buf, start + at.dport, dport);
        put16be(buf, start + at.replySport, dport);
        put16be(buf, start + at.replyDport, sport);
      }
      if (at.status) put32be(buf, start + at.status, (status | IPS_CONFIRMED) >>> 0);
      if (at.timeout) put32be(buf, start + at.timeout, timeout);
      if (at.state) buf[start + at.state] = state;
      if (at.flags) {
        const flags = tcpFlags(state);
        put16be(buf, start + at.flags, (flags << 8) | flags);
        put16be(buf, start + at.flags + 8, (flags << 8) | flags);
      }
    } else {
      end = writeMessage(buf, start, bits, src, dst, sport, dport, state, timeout, status);
      this.templates.set(bits, { start, length: end - start, offsets: layout(bits) });
    }
    out.commit(end);
    return { start, end, add: (bits & ADD) !== 0, family: 'ipv4', zone: undefined };
  }
}

const tcpFlags = (state: number) => (state >= TCP_TIME_WAIT ? TCP_FLAGS | TCP_CLOSE_INIT : TCP_FLAGS);

/** Where writeMessage() puts each value of a message of shape `bits` (0: not there). */
function layout(bits: number): Offsets {
  const ports = (bits & (SPORT | DPORT)) !== 0;
  // nlmsghdr and nfgenmsg (20), then each tuple: its nest (4), the IP nest (4) with two addresses (8
  // each), the proto nest (4) with the number (8) and the ports (8 each).
  const tupleLength = ports ? 52 : 36;
  const reply = 20 + tupleLength;
  let p = reply + tupleLength;
  const status = bits & U ? p + 4 : 0;
  if (bits & U) p += 8;
  const timeout = bits & T ? p + 4 : 0;
  if (bits & T) p += 8;
  const tcp = (bits & P) !== 0 && (bits & UDP) === 0;
  // PROTOINFO and PROTOINFO_TCP nests (8), the state (8), then the flag pairs.
  const state = tcp && bits & STATE ? p + 12 : 0;
  const flags = tcp ? p + (bits & STATE ? 16 : 8) + 4 : 0;
  return { src: 32, dst: 40, replySrc: reply + 12, replyDst: reply + 20, ports, sport: 60, dport: 68, replySport: reply + 40, replyDport: reply + 48, status, timeout, state, flags };
}

/** The whole message of a line of shape `bits`, at `start`: its end. */
function writeMessage(buf: Uint8Array, start: number, bits: number, src: number, dst: number, sport: number, dport: number, state: number, timeout: number, status: number): number {
  const tcp = (bits & P) !== 0 && (bits & UDP) === 0;
  const proto = bits & P ? (tcp ? PROTO.TCP : PROTO.UDP) : 0;
  const ports = (bits & (SPORT | DPORT)) !== 0;
  let p = start + 20;
  p = tuple(buf, p, CTA.TUPLE_ORIG, src, dst, proto, ports, sport, dport);
  p = tuple(buf, p, CTA.TUPLE_REPLY, dst, src, proto, ports, dport, sport);
  if (bits & U) p = attr(buf, p, CTA.STATUS, 4, (status | IPS_CONFIRMED) >>> 0);
  if (bits & T) p = attr(buf, p, CTA.TIMEOUT, 4, timeout);
  if (tcp) {
    const flags = tcpFlags(state);
    const infoAt = p;
    p += 8;
    if (state >= 0) p = attr(buf, p, CTA_TCP.STATE, 1, state);
    p = attr(buf, p, CTA_TCP.FLAGS_ORIGINAL, 2, (flags << 8) | flags);
    p = attr(buf, p, CTA_TCP.FLAGS_REPLY, 2, (flags << 8) | flags);
    nest(buf, infoAt + 4, CTA_PROTOINFO.TCP, p);
    nest(buf, infoAt, CTA.PROTOINFO, p);
  }
  // nlmsghdr (length, type, flags, sequence and port 0: set when sent) and nfgenmsg.
  put32be(buf, start, 0);
  put16le(buf, start, p - start);
  put16le(buf, start + 4, CT_NEW);
  put16le(buf, start + 6, NLM_F_CREATE | NLM_F_EXCL);
  put32be(buf, start + 8, 0);
  put32be(buf, start + 12, 0);
  put32be(buf, start + 16, 0);
  buf[start + 16] = AF_INET;
  return p;
}
