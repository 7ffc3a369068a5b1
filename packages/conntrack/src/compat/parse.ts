/**
 * A conntrack 1.4.7 command line → a CtCommand, with conntrack's own rules: getopt_long with
 * abbreviations and argument permutation, protocol options only after `-p`, the table of legal
 * option/command pairs, the coupled checks (`--src` with `--dst`, or the reply pair), and its messages.
 * Errors carry conntrack's exit codes: 2 for a parameter problem, 1 where conntrack says "other problem".
 */
import type { Family } from '../flow';
import {
  COMMAND_LETTERS,
  COMMAND_OPTIONS,
  GENERAL_LONG,
  OPT_LETTERS,
  OPT_NAMES,
  SHORT_OPTIONS,
  optBit,
  type CtCommandName,
  type CtTable,
  type LongOption,
  type MatrixKey,
  type OptLetter,
  type ProtoHandler,
} from './options';
import { CompatError, type Address } from './errors';
import { atoi, findProto, parseAddr, parseParameterList, parseStatusMask, prefixMask, splitAddressAndPort, strtoul, u16, u32, u8, EVENT_NAMES, OUTPUT_NAMES } from './parse-values';

export { CompatError, type Address } from './errors';
export { prefixMask, strtoul, atoi } from './parse-values';

const paramProblem = (message: string): never => {
  throw new CompatError(2, message);
};
const otherProblem = (message: string): never => {
  throw new CompatError(1, message);
};

export interface TupleTemplate {
  src?: Address;
  dst?: Address;
  sport?: number;
  dport?: number;
  icmpType?: number;
  icmpCode?: number;
  icmpId?: number;
}
export interface NatTemplate {
  address?: Address;
  port?: number;
}

export interface CtCommand {
  command: CtCommandName;
  table: CtTable;
  /** Row of the option table this command was checked against. */
  matrixKey: MatrixKey;
  /** CT_OPT_* bits given. */
  options: number;
  /** Keys ('1'...'9') of the protocol options given. */
  protoOptions: Set<string>;
  family?: Family;
  proto?: { num: number; handler?: ProtoHandler };
  orig: TupleTemplate;
  reply: TupleTemplate;
  state?: number;
  /** Status bits that must be set (and are set on create/update). */
  status?: number;
  /** What the kernel filters a listing on: (status & mask) === value. */
  statusFilter?: { value: number; mask: number };
  timeout?: number;
  mark?: { value: number; mask: number };
  zone?: number;
  origZone?: number;
  replyZone?: number;
  secmark?: number;
  id?: number;
  srcMask?: Address;
  dstMask?: Address;
  snat?: NatTemplate;
  dnat?: NatTemplate;
  output: Set<string>;
  eventMask: number;
  bufferSize?: number;
  warnings: string[];
}

const has = (cmd: CtCommand, letter: OptLetter) => (cmd.options & optBit(letter)) !== 0;
export { has as hasOption };

// --- getopt_long --------------------------------------------------------------------------------

/** Exact name, else the unique option this is a prefix of (several spellings of one option are not ambiguous). */
function findLong(name: string, table: readonly LongOption[]): LongOption | 'ambiguous' | undefined {
  const exact = table.find((o) => o.name === name);
  if (exact) return exact;
  const candidates = table.filter((o) => o.name.startsWith(name));
  if (candidates.length === 0) return undefined;
  const first = candidates[0] as LongOption;
  return candidates.every((o) => o.key === first.key && o.hasArg === first.hasArg) ? first : 'ambiguous';
}

// --- do_parse -----------------------------------------------------------------------------------

const COMMAND_OF: Readonly<Record<string, [CtCommandName, MatrixKey | undefined]>> = {
  L: ['list', 'exp-list'],
  I: ['create', 'exp-create'],
  D: ['delete', 'exp-delete'],
  G: ['get', 'exp-get'],
  F: ['flush', 'exp-flush'],
  E: ['event', 'exp-event'],
  V: ['version', 'version'],
  h: ['help', 'help'],
  C: ['count', 'exp-count'],
  S: ['stats', 'exp-stats'],
  U: ['update', undefined],
  A: ['add', undefined],
};
const LONG_OF_COMMAND: Readonly<Record<string, string>> = { L: 'dump', I: 'create', D: 'delete', G: 'get', F: 'flush', E: 'event', V: 'version', h: 'help', C: 'counter', S: 'stats', U: 'update', A: 'add' };

function checkType(table: string | undefined): CtTable {
  if (table === undefined) return 'conntrack';
  for (const name of ['expect', 'conntrack', 'dying', 'unconfirmed'] as const) if (name.startsWith(table)) return name;
  return paramProblem(`unknown type \`${table}'`);
}

/** Parses one conntrack command line (without the program name). */
export function parseCommandLine(argv: readonly string[]): CtCommand {
  // Without a command every option is illegal, as in conntrack (whose lookup then finds no row that allows any).
  const cmd: CtCommand = { command: 'help', table: 'conntrack', matrixKey: 'version', options: 0, protoOptions: new Set(), orig: {}, reply: {}, output: new Set(), eventMask: 0, warnings: [] };
  let command: { letter: string; key: MatrixKey } | undefined;
  let family: Family | undefined;
  let longTable: readonly LongOption[] = GENERAL_LONG;
  const setFamily = (f: Family) => {
    if (family === undefined) family = f;
    else if (family !== f) paramProblem('mismatched address family');
  };
  let i = 0;
  /** get_optional_arg(): the next argument when it does not look like an option. */
  const optionalArg = (attached: string | undefined): string | undefined => {
    if (attached !== undefined) return undefined;
    const next = argv[i];
    if (next !== undefined && !next.startsWith('-') && !next.startsWith('!')) {
      i++;
      return next;
    }
    return undefined;
  };

  const addressOption = (letter: 's' | 'd' | 'r' | 'q' | '{' | '}', value: string) => {
    const parsed = parseAddr(value);
    if (!parsed) return paramProblem(`Invalid IP address \`${value}'`);
    setFamily(parsed.address.family);
    const maskable = letter === 's' || letter === 'd';
    if (parsed.prefix !== -1 && !maskable) paramProblem(`CIDR notation unavailable for \`--${letter === '{' || letter === '}' ? OPT_NAMES[letter] : { r: 'reply-src', q: 'reply-dst' }[letter as 'r' | 'q']}'`);
    if (parsed.prefix === -2) paramProblem('Invalid netmask');
    cmd.options |= optBit(letter);
    if (letter === 's') cmd.orig.src = parsed.address;
    else if (letter === 'd') cmd.orig.dst = parsed.address;
    else if (letter === 'r') cmd.reply.src = parsed.address;
    else if (letter === 'q') cmd.reply.dst = parsed.address;
    else if (letter === '{') cmd.srcMask = parsed.address;
    else cmd.dstMask = parsed.address;
    const full = parsed.address.family === 'ipv4' ? 32 : 128;
    if (maskable && parsed.prefix !== -1 && parsed.prefix !== full) {
      const mask = prefixMask(parsed.address.family, parsed.prefix);
      cmd.options |= optBit(letter === 's' ? '{' : '}');
      if (letter === 's') cmd.srcMask = mask;
      else cmd.dstMask = mask;
    }
  };

  const natOption = (letter: 'n' | 'g' | 'j', value: string | undefined) => {
    cmd.options |= optBit(letter);
    if (value === undefined) {
      if (letter !== 'g') cmd.snat ??= {};
      if (letter !== 'n') cmd.dnat ??= {};
      return;
    }
    const { address, port } = splitAddressAndPort(value);
    const parsed = parseAddr(address);
    if (!parsed) return paramProblem(`Invalid IP address \`${address}'`);
    setFamily(parsed.address.family);
    if (parsed.prefix !== -1) paramProblem(`CIDR notation unavailable for \`--${OPT_NAMES[letter]}'`);
    const nat: NatTemplate = { address: parsed.address, ...(port !== undefined ? { port: Number(port) } : {}) };
    if (letter !== 'g') cmd.snat = nat;
    if (letter !== 'n') cmd.dnat = nat;
  };

  const protoOption = (key: string, value: string) => {
    const handler = cmd.proto?.handler;
    cmd.protoOptions.add(key);
    if (handler?.name === 'icmp' || handler?.name === 'icmpv6') {
      if (key === '1') cmd.orig.icmpType = u8(atoi(value));
      else if (key === '2') cmd.orig.icmpCode = u8(atoi(value));
      else cmd.orig.icmpId = u16(atoi(value));
      return;
    }
    const port = u16(atoi(value));
    if (key === '1') cmd.orig.sport = port;
    else if (key === '2') cmd.orig.dport = port;
    else if (key === '3') cmd.reply.sport = port;
    else if (key === '4') cmd.reply.dport = port;
    else if (key === '7') {
      const states = handler?.states ?? [];
      let index = states.indexOf(value);
      if (handler?.name === 'tcp' && value === 'LISTEN') index = 9;
      if (index < 0) paramProblem(`unknown ${handler?.name.toUpperCase() ?? ''} state \`${value}'`);
      cmd.state = index;
    }
  };

  const handle = (key: string, arg: string | undefined, text: string) => {
    if (COMMAND_LETTERS.includes(key)) {
      const table = checkType(optionalArg(arg));
      const [name, expKey] = COMMAND_OF[key] as [CtCommandName, MatrixKey | undefined];
      if (key !== 'L' && (table === 'dying' || table === 'unconfirmed')) paramProblem("Can't do that command with tables `dying' and `unconfirmed'");
      const matrixKey = table === 'expect' ? expKey : name;
      if (matrixKey === undefined) paramProblem(`Can't do --${LONG_OF_COMMAND[key]} on expectations`);
      if (command) paramProblem('Invalid commands combination');
      command = { letter: key, key: matrixKey as MatrixKey };
      cmd.command = name;
      cmd.table = table;
      cmd.matrixKey = matrixKey as MatrixKey;
      return;
    }
    const value = arg ?? '';
    switch (key) {
      case 's':
      case 'd':
      case 'r':
      case 'q':
      case '{':
      case '}':
        return addressOption(key, value);
      case '[':
      case ']':
        cmd.options |= optBit(key);
        return;
      case 'p': {
        cmd.options |= optBit('p');
        const proto = findProto(value);
        if (!proto) return paramProblem(`\`${value}' unsupported protocol`);
        cmd.proto = proto;
        longTable = proto.handler ? longOptionsWith(proto.handler) : GENERAL_LONG;
        return;
      }
      case 't':
        cmd.options |= optBit('t');
        cmd.timeout = u32(atoi(value));
        return;
      case 'u': {
        cmd.options |= optBit('u');
        const { status, mask } = parseStatusMask(value, cmd.warnings);
        cmd.status = status;
        cmd.statusFilter = { value: status, mask: mask === 0 ? status : mask };
        return;
      }
      case 'e':
        cmd.options |= optBit('e');
        cmd.eventMask |= parseParameterList(value, EVENT_NAMES, cmd.warnings);
        return;
      case 'o': {
        cmd.options |= optBit('o');
        const bits = parseParameterList(value, OUTPUT_NAMES.map((n, b) => [n.toUpperCase(), 1 << b] as [string, number]), cmd.warnings);
        OUTPUT_NAMES.forEach((n, b) => {
          if (bits & (1 << b)) cmd.output.add(n);
        });
        if (cmd.output.has('save') && ['extended', 'timestamp', 'id', 'ktimestamp', 'labels', 'xml'].some((o) => cmd.output.has(o))) {
          otherProblem('cannot combine save output with any other output type, use -o save only');
        }
        return;
      }
      case 'z':
        cmd.options |= optBit('z');
        return;
      case 'n':
      case 'g':
      case 'j':
        return natOption(key, optionalArg(arg) ?? arg);
      case 'w':
      case '(':
      case ')': {
        cmd.options |= optBit(key);
        const zone = u16(strtoul(value).value || 0);
        if (key === 'w') cmd.zone = zone;
        else if (key === '(') cmd.origZone = zone;
        else cmd.replyZone = zone;
        return;
      }
      case 'i':
      case 'c': {
        cmd.options |= optBit(key);
        const n = u32(strtoul(value).value || 0);
        if (key === 'i') cmd.id = n;
        else cmd.secmark = n;
        return;
      }
      case 'm': {
        cmd.options |= optBit('m');
        const head = strtoul(value);
        const mark = u32(head.value || 0);
        cmd.mark = { value: mark, mask: head.rest.startsWith('/') ? u32(strtoul(head.rest.slice(1)).value || 0) : 0xffffffff };
        return;
      }
      case 'l':
      case '<':
      case '>':
        cmd.options |= optBit(key);
        if (key === '>' && optionalArg(arg) === undefined && arg === undefined) return;
        return otherProblem(`connection labels (--${OPT_NAMES[key]}) are not supported by ctscope`);
      case 'a':
        cmd.warnings.push(`WARNING: ignoring -${key}, deprecated option.`);
        return;
      case 'f':
        cmd.options |= optBit('f');
        if (value.startsWith('ipv4')) setFamily('ipv4');
        else if (value.startsWith('ipv6')) setFamily('ipv6');
        else paramProblem(`\`${value}' unsupported protocol`);
        return;
      case 'b':
        cmd.options |= optBit('b');
        cmd.bufferSize = atoi(value);
        return;
      default:
        if (/^[1-9]$/.test(key)) return protoOption(key, value);
        paramProblem(`unknown option \`${text}'`);
    }
  };

  while (i < argv.length) {
    const arg = argv[i++] as string;
    if (arg === '--') break;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const option = findLong(name, longTable);
      if (option === undefined || option === 'ambiguous') paramProblem(`unknown option \`${arg}'`);
      const opt = option as LongOption;
      let value = eq < 0 ? undefined : arg.slice(eq + 1);
      if (opt.hasArg === 0 && value !== undefined) paramProblem(`unknown option \`${arg}'`);
      if (opt.hasArg === 1 && value === undefined) {
        value = argv[i++];
        if (value === undefined) paramProblem(`option \`${arg}' requires an argument`);
      }
      handle(opt.key, value, arg);
    } else if (arg.startsWith('-') && arg.length > 1) {
      // A cluster of short options: `-Lz`, or one with its value attached (`-p6`).
      for (let c = 1; c < arg.length; c++) {
        const letter = arg[c] as string;
        const hasArg = SHORT_OPTIONS[letter];
        if (hasArg === undefined) paramProblem(`unknown option \`${arg}'`);
        const attached = c + 1 < arg.length ? arg.slice(c + 1) : undefined;
        if (hasArg === 0) {
          handle(letter, undefined, arg);
          continue;
        }
        if (hasArg === 2) {
          handle(letter, attached, arg);
          break;
        }
        const value = attached ?? argv[i++];
        if (value === undefined) paramProblem(`option \`${arg}' requires an argument`);
        handle(letter, value, arg);
        break;
      }
    }
    // Anything else is a stray argument, which conntrack's getopt skips too.
  }

  if (family === undefined && !['list', 'update', 'delete', 'get', 'flush', 'event'].includes(cmd.command)) family = 'ipv4';
  if (family !== undefined) cmd.family = family;
  checkParsedCommand(cmd);
  return cmd;
}

/** The checks of a whole command line once its options are read: option/command pairs and the coupled options. */
export function checkParsedCommand(cmd: CtCommand): void {
  if (has(cmd, 'j') && (has(cmd, 'n') || has(cmd, 'g'))) paramProblem("cannot specify `--src-nat' or `--dst-nat' with `--any-nat'");
  checkOptions(cmd.options, COMMAND_OPTIONS[cmd.matrixKey], GENERAL_FLAG_NAMES, ADDRESS_PAIRS, ADDRESS_PAIR_MESSAGES);
  const handler = cmd.proto?.handler;
  if (cmd.command !== 'help' && handler) {
    let flags = 0;
    for (const key of cmd.protoOptions) flags |= 1 << (Number(key) - 1);
    const matrixRow = handler.matrix[cmd.matrixKey] ?? handler.flags.map(() => 0 as const);
    checkOptions(flags, matrixRow, handler.flags, handler.coupled, handler.coupledMessages);
  }
}

const GENERAL_FLAG_NAMES = OPT_LETTERS.map((l) => OPT_NAMES[l]);
const ADDRESS_PAIRS = [optBit('s') | optBit('d'), optBit('r') | optBit('q')];
const ADDRESS_PAIR_MESSAGES = ["you have to specify `--src' and `--dst'", "you have to specify `--reply-src' and `--reply-dst'"];
const withProtoOptions = new Map<ProtoHandler, readonly LongOption[]>();
/** The long options once `-p` named a protocol: the general ones and the protocol's own. */
function longOptionsWith(handler: ProtoHandler): readonly LongOption[] {
  let table = withProtoOptions.get(handler);
  if (!table) withProtoOptions.set(handler, (table = [...GENERAL_LONG, ...handler.options]));
  return table;
}

/** generic_opt_check(): illegal or missing options in bit order, then the coupled pairs. */
function checkOptions(given: number, row: readonly number[], names: readonly string[], coupled?: readonly number[], messages?: readonly string[]): void {
  let special = false;
  for (let bit = 0; bit < row.length; bit++) {
    const rule = row[bit];
    const set = (given & (1 << bit)) !== 0;
    if (!set && rule === 1) paramProblem(`You need to supply the \`--${names[bit]}' option for this command`);
    if (set && rule === 0) paramProblem(`Illegal option \`--${names[bit]}' with this command`);
    if (rule === 3) special = true;
  }
  if (!special || !coupled || !messages) return;
  if (coupled.some((pair) => (given & pair) === pair)) return;
  const partial = coupled.findIndex((pair) => (given & pair) !== 0);
  paramProblem(messages[partial < 0 ? 0 : partial] as string);
}
