/**
 * The fast path of a batch: the `-I`/`-A` lines a batch file usually holds (plain IPv4 addresses, `-p`
 * with a protocol's own name, its ports and state, `-t`, `-u`), read by one pass over the characters
 * with no getopt emulation. It yields exactly the CtCommand parseCommandLine() would, or undefined for
 * any line outside that subset or with any error: the general parser then reads it, with its messages.
 */
import { PROTO_HANDLERS, optBit, type ProtoHandler } from './options';
import { checkParsedCommand, type CtCommand } from './parse';
import { parseStatusMask, u16, u32 } from './parse-values';

const BIT = { s: optBit('s'), d: optBit('d'), r: optBit('r'), q: optBit('q'), p: optBit('p'), t: optBit('t'), u: optBit('u') } as const;
/** Handlers by the names findproto() matches first (its own names; other spellings take the general path). */
const HANDLER_BY_NAME = new Map<string, ProtoHandler>(PROTO_HANDLERS.map((h) => [h.name, h]));

const isBlank = (c: number) => c === 32 || c === 9 || c === 13 || c === 10;

/** The line's words, split on blanks like splitBatchLine() (callers exclude lines with quotes). */
function words(line: string): string[] {
  const out: string[] = [];
  const n = line.length;
  let i = 0;
  while (i < n) {
    while (i < n && isBlank(line.charCodeAt(i))) i++;
    const start = i;
    while (i < n && !isBlank(line.charCodeAt(i))) i++;
    if (i > start) out.push(line.slice(start, i));
  }
  return out;
}

/** Decimal digits only, at most `maxDigits`: their value, else -1 (atoi's other cases take the general path). */
function digits(text: string, maxDigits: number): number {
  if (text.length === 0 || text.length > maxDigits) return -1;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    value = value * 10 + c;
  }
  return value;
}

/** A dotted quad as parseAddress() reads it (1-3 digits per part, each at most 255), else -1. */
function ipv4(text: string): number {
  let value = 0;
  let part = 0;
  let partDigits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
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

/** The CtCommand of a common `-I`/`-A` line, or undefined when the general parser must read it. */
export function fastCreateLine(line: string): CtCommand | undefined {
  if (line.includes('"')) return undefined;
  const argv = words(line);
  const first = argv[0];
  const command = first === '-I' ? 'create' : first === '-A' ? 'add' : undefined;
  if (command === undefined) return undefined;
  const cmd: CtCommand = { command, table: 'conntrack', matrixKey: command, options: 0, protoOptions: new Set(), orig: {}, reply: {}, output: new Set(), eventMask: 0, warnings: [] };
  let handler: ProtoHandler | undefined;
  for (let i = 1; i < argv.length; i += 2) {
    const option = argv[i] as string;
    const value = argv[i + 1];
    if (value === undefined) return undefined;
    switch (option) {
      case '-s':
      case '-d':
      case '-r':
      case '-q': {
        const word = ipv4(value);
        if (word < 0) return undefined;
        const address = { family: 'ipv4' as const, words: [word] };
        const letter = option[1] as 's' | 'd' | 'r' | 'q';
        cmd.options |= BIT[letter];
        if (letter === 's') cmd.orig.src = address;
        else if (letter === 'd') cmd.orig.dst = address;
        else if (letter === 'r') cmd.reply.src = address;
        else cmd.reply.dst = address;
        break;
      }
      case '-p':
        if (handler) return undefined;
        handler = HANDLER_BY_NAME.get(value);
        if (!handler) return undefined;
        cmd.options |= BIT.p;
        cmd.proto = { num: handler.num, handler };
        break;
      case '-t': {
        const timeout = digits(value, 9);
        if (timeout < 0) return undefined;
        cmd.options |= BIT.t;
        cmd.timeout = u32(timeout);
        break;
      }
      case '-u': {
        cmd.options |= BIT.u;
        const { status, mask } = statusMask(value, cmd.warnings);
        cmd.status = status;
        cmd.statusFilter = { value: status, mask: mask === 0 ? status : mask };
        break;
      }
      default: {
        if (!handler || handler.name === 'icmp' || handler.name === 'icmpv6' || !option.startsWith('--')) return undefined;
        const name = option.slice(2);
        const key = handler.options.find((o) => o.name === name)?.key;
        if (key === '7') {
          const states = handler.states ?? [];
          const index = handler.name === 'tcp' && value === 'LISTEN' ? 9 : states.indexOf(value);
          if (index < 0) return undefined;
          cmd.state = index;
        } else if (key === '1' || key === '2' || key === '3' || key === '4') {
          const port = digits(value, 5);
          if (port < 0) return undefined;
          if (key === '1') cmd.orig.sport = u16(port);
          else if (key === '2') cmd.orig.dport = u16(port);
          else if (key === '3') cmd.reply.sport = u16(port);
          else cmd.reply.dport = u16(port);
        } else return undefined;
        cmd.protoOptions.add(key);
      }
    }
  }
  cmd.family = 'ipv4';
  // The checks depend on the command, the option bits and the protocol's option bits only: lines alike pass alike.
  let protoBits = 0;
  for (const key of cmd.protoOptions) protoBits |= 1 << (Number(key) - 1);
  const shape = `${command} ${cmd.options} ${handler?.name ?? ''} ${protoBits}`;
  if (!checkedShapes.has(shape)) {
    checkParsedCommand(cmd);
    checkedShapes.add(shape);
  }
  return cmd;
}

/** Option shapes checkParsedCommand() accepted. */
const checkedShapes = new Set<string>();
/** parseStatusMask() results of values that gave no warning (a batch repeats a few values). */
const statusMasks = new Map<string, { status: number; mask: number }>();

function statusMask(value: string, warnings: string[]): { status: number; mask: number } {
  const known = statusMasks.get(value);
  if (known) return known;
  const before = warnings.length;
  const parsed = parseStatusMask(value, warnings);
  if (warnings.length === before && statusMasks.size < 1024) statusMasks.set(value, parsed);
  return parsed;
}

/** The status of a `-u` value fastCreateLine() already read without a warning, else undefined. */
export function knownStatus(value: string): number | undefined {
  return statusMasks.get(value)?.status;
}
