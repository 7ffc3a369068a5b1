/** `conntrack -L` filter options ⇄ FlowFilter, with conntrack-tools 1.4.7 semantics. */
import type { Family, StatusFlag } from '../flow';
import { FilterArgsError, FilterNotExpressibleError, type FlowFilter, type NatMatch, type PortRange } from './types';
import {
  PORT_PROTOS,
  allStateNames,
  parseAddressFilter,
  parsePort,
  parseProto,
  parseState,
  parseU16,
  parseU32,
  protoNumberToName,
  sortStates,
  sortStatus,
  type Parsed,
} from './vocab';
import { parseCidr } from './address';

type OptionKey =
  | 'proto'
  | 'family'
  | 'src'
  | 'dst'
  | 'replySrc'
  | 'replyDst'
  | 'sport'
  | 'dport'
  | 'replySport'
  | 'replyDport'
  | 'state'
  | 'status'
  | 'mark'
  | 'zone'
  | 'snat'
  | 'dnat'
  | 'anyNat';

const SHORT: Readonly<Record<string, OptionKey>> = {
  p: 'proto',
  f: 'family',
  s: 'src',
  d: 'dst',
  r: 'replySrc',
  q: 'replyDst',
  u: 'status',
  m: 'mark',
  w: 'zone',
  n: 'snat',
  g: 'dnat',
  j: 'anyNat',
};

const LONG: Readonly<Record<string, OptionKey>> = {
  proto: 'proto',
  family: 'family',
  src: 'src',
  'orig-src': 'src',
  dst: 'dst',
  'orig-dst': 'dst',
  'reply-src': 'replySrc',
  'reply-dst': 'replyDst',
  sport: 'sport',
  'orig-port-src': 'sport',
  dport: 'dport',
  'orig-port-dst': 'dport',
  'reply-port-src': 'replySport',
  'reply-port-dst': 'replyDport',
  state: 'state',
  status: 'status',
  mark: 'mark',
  zone: 'zone',
  'src-nat': 'snat',
  'dst-nat': 'dnat',
  'any-nat': 'anyNat',
};

const NO_ARGUMENT: ReadonlySet<OptionKey> = new Set(['snat', 'dnat', 'anyNat']);

/** Status names `conntrack -u` knows, in the order it tries them (it accepts any unambiguous-first prefix). */
const CLI_STATUS_NAMES = ['ASSURED', 'SEEN_REPLY', 'UNSET', 'FIXED_TIMEOUT', 'EXPECTED', 'OFFLOAD', 'HW_OFFLOAD'] as const;
const CLI_STATUS_FLAGS: ReadonlySet<StatusFlag> = new Set(['ASSURED', 'SEEN_REPLY', 'FIXED_TIMEOUT', 'EXPECTED', 'OFFLOAD', 'HW_OFFLOAD']);

interface StatusLists {
  required: StatusFlag[];
  forbidden: StatusFlag[];
}

function parseStatusList(arg: string): Parsed<StatusLists> {
  const out: StatusLists = { required: [], forbidden: [] };
  for (const rawItem of arg.split(',')) {
    const negated = rawItem.startsWith('!');
    const item = (negated ? rawItem.slice(1) : rawItem).toUpperCase();
    if (item === '') return { ok: false, message: 'empty status name' };
    if (!negated && item === 'UNREPLIED') {
      out.forbidden.push('SEEN_REPLY');
      continue;
    }
    if ('SRC_NAT'.startsWith(item) || 'DST_NAT'.startsWith(item)) {
      return { ok: false, message: `status ${item} is not a filter: use --src-nat / --dst-nat` };
    }
    const name = CLI_STATUS_NAMES.find((candidate) => candidate.startsWith(item));
    if (name === undefined) return { ok: false, message: `expected status names: ${CLI_STATUS_NAMES.join(', ')}, UNREPLIED, or !NAME` };
    if (name === 'UNSET') return { ok: false, message: 'UNSET selects no bits (the kernel rejects it)' };
    (negated ? out.forbidden : out.required).push(name);
  }
  return { ok: true, value: out };
}

interface Token {
  key: OptionKey;
  value: string | undefined;
  /** Index of the option itself, and of its value. */
  index: number;
  valueIndex: number;
}

function tokenize(argv: readonly string[]): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    let key: OptionKey | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      key = LONG[name];
      if (eq >= 0) inline = arg.slice(eq + 1);
    } else if (arg.startsWith('-') && arg.length >= 2) {
      key = SHORT[arg[1] ?? ''];
      if (arg.length > 2) inline = arg.slice(2);
    }
    if (key === undefined) throw new FilterArgsError(i, arg, 'expected a conntrack filter option (-p, -f, -s, -d, -r, -q, --sport, --dport, --reply-port-src, --reply-port-dst, --state, -u, -m, -w, -n, -g, -j)');
    if (NO_ARGUMENT.has(key)) {
      if (inline !== undefined) throw new FilterArgsError(i, arg, `${arg.split('=')[0]} takes no value here (NAT address filters are not supported)`);
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('-')) throw new FilterArgsError(i + 1, next, 'NAT address filters (-n ADDRESS[:PORT]) are not supported');
      tokens.push({ key, value: undefined, index: i, valueIndex: i });
      continue;
    }
    if (inline !== undefined) {
      tokens.push({ key, value: inline, index: i, valueIndex: i });
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined) throw new FilterArgsError(i, arg, `option ${arg} requires an argument`);
    tokens.push({ key, value, index: i, valueIndex: i + 1 });
    i++;
  }
  return tokens;
}

function familyOfAddress(text: string): Family | undefined {
  const parsed = parseCidr(text);
  if (!parsed.ok) return undefined;
  return parsed.cidr.family === 4 ? 'ipv4' : 'ipv6';
}

/**
 * Parses the filter options of `conntrack -L` into a FlowFilter. Like conntrack: -s/-d accept CIDR
 * (it implies --mask-src/--mask-dst), -r/-q only single addresses, port and state options need -p
 * before them, -u takes a comma list (NAME, !NAME, UNREPLIED). Stricter than conntrack where it
 * silently misreads input (ports above 65535, an option given twice).
 */
export function parseConntrackArgs(argv: readonly string[]): FlowFilter {
  const filter: FlowFilter = {};
  const seen = new Set<OptionKey>();
  let addressFamily: { family: Family; index: number } | undefined;
  const fail = (token: Token, message: string): never => {
    throw new FilterArgsError(token.valueIndex, argv[token.valueIndex] ?? '', message);
  };
  const take = <T>(token: Token, result: Parsed<T>): T => (result.ok ? result.value : fail(token, result.message));
  const setFamily = (token: Token, family: Family) => {
    if (addressFamily && addressFamily.family !== family) fail(token, 'mismatched address family');
    addressFamily = { family, index: token.index };
  };
  const needProtoWith = (token: Token, what: 'ports' | 'states') => {
    const proto = filter.proto;
    const supports = proto !== undefined && (what === 'ports' ? PORT_PROTOS.has(proto) : allStateNames(proto).length > 0);
    if (!supports) {
      throw new FilterArgsError(token.index, argv[token.index] ?? '', `${argv[token.index]} needs -p with a protocol that has ${what} before it`);
    }
  };

  for (const token of tokenize(argv)) {
    const nat = token.key === 'snat' || token.key === 'dnat' || token.key === 'anyNat';
    if (seen.has(token.key)) throw new FilterArgsError(token.index, argv[token.index] ?? '', 'option given twice');
    seen.add(token.key);
    const value = token.value ?? '';
    switch (token.key) {
      case 'proto':
        filter.proto = take(token, parseProto(value));
        break;
      case 'family':
        if (value !== 'ipv4' && value !== 'ipv6') fail(token, 'family must be ipv4 or ipv6');
        setFamily(token, value as Family);
        filter.family = value as Family;
        break;
      case 'src':
      case 'dst':
      case 'replySrc':
      case 'replyDst': {
        if ((token.key === 'replySrc' || token.key === 'replyDst') && value.includes('/')) {
          fail(token, `CIDR notation is not available for ${argv[token.index]}`);
        }
        const address = take(token, parseAddressFilter(value));
        setFamily(token, familyOfAddress(address) ?? 'ipv4');
        filter[token.key] = address;
        break;
      }
      case 'sport':
      case 'dport':
      case 'replySport':
      case 'replyDport': {
        needProtoWith(token, 'ports');
        const port = take(token, parsePort(value));
        filter[token.key] = { min: port, max: port };
        break;
      }
      case 'state':
        needProtoWith(token, 'states');
        filter.states = [take(token, parseState(value, filter.proto, true))];
        break;
      case 'status': {
        const lists = take(token, parseStatusList(value));
        if (lists.required.length) filter.statusRequired = sortStatus(lists.required);
        if (lists.forbidden.length) filter.statusForbidden = sortStatus(lists.forbidden);
        break;
      }
      case 'mark': {
        const slash = value.indexOf('/');
        const markValue = take(token, parseU32(slash < 0 ? value : value.slice(0, slash)));
        const mask = slash < 0 ? 0xffffffff : take(token, parseU32(value.slice(slash + 1)));
        filter.mark = { value: markValue, mask };
        break;
      }
      case 'zone':
        filter.zone = take(token, parseU16(value));
        break;
      default:
        if (nat) {
          if (token.key === 'anyNat' ? seen.has('snat') || seen.has('dnat') : seen.has('anyNat')) {
            throw new FilterArgsError(token.index, argv[token.index] ?? '', "cannot specify --src-nat or --dst-nat with --any-nat");
          }
          filter.nat = combineNat(filter.nat, token.key);
        }
    }
  }
  return filter;
}

function combineNat(current: NatMatch | undefined, key: OptionKey): NatMatch {
  if (key === 'anyNat') return 'any';
  const mine: NatMatch = key === 'snat' ? 'snat' : 'dnat';
  return current !== undefined && current !== mine ? 'both' : mine;
}

function singlePort(field: 'sport' | 'dport' | 'replySport' | 'replyDport', range: PortRange): string {
  if (range.min !== range.max) throw new FilterNotExpressibleError(field, 'conntrack matches single ports only, not ranges');
  return String(range.min);
}

/**
 * The `conntrack -L` options for a filter (conntrack-tools 1.4.7 syntax). Throws
 * FilterNotExpressibleError for what the CLI cannot say: free text, port ranges, several states,
 * CIDR on reply addresses, status bits it has no name for, required and forbidden status together
 * (conntrack 1.4.7 turns such a list into a kernel filter that matches nothing), mixed address families.
 */
export function printConntrackArgs(filter: FlowFilter): string[] {
  const args: string[] = [];
  if (filter.text?.length) throw new FilterNotExpressibleError('text', 'conntrack has no free-text filter');
  const families = new Set<Family>(filter.family !== undefined ? [filter.family] : []);
  for (const field of ['src', 'dst', 'replySrc', 'replyDst'] as const) {
    const text = filter[field];
    const family = text === undefined ? undefined : familyOfAddress(text);
    if (family !== undefined) families.add(family);
    if (families.size > 1) throw new FilterNotExpressibleError(field, 'conntrack rejects mixed address families (such a filter matches nothing)');
  }
  if (filter.family !== undefined) args.push('-f', filter.family);
  const needsProto = filter.sport ?? filter.dport ?? filter.replySport ?? filter.replyDport ?? filter.states;
  if (filter.proto !== undefined) args.push('-p', protoNumberToName(filter.proto));
  else if (needsProto) throw new FilterNotExpressibleError('proto', 'conntrack needs a protocol (-p) for port and state filters');
  if (filter.src !== undefined) args.push('-s', filter.src);
  if (filter.dst !== undefined) args.push('-d', filter.dst);
  for (const [field, flag] of [['replySrc', '-r'], ['replyDst', '-q']] as const) {
    const value = filter[field];
    if (value === undefined) continue;
    if (value.includes('/')) throw new FilterNotExpressibleError(field, `conntrack accepts no CIDR on ${flag}`);
    args.push(flag, value);
  }
  const portFields = [
    ['sport', '--sport'],
    ['dport', '--dport'],
    ['replySport', '--reply-port-src'],
    ['replyDport', '--reply-port-dst'],
  ] as const;
  for (const [field, flag] of portFields) {
    const range = filter[field];
    if (range === undefined) continue;
    if (!PORT_PROTOS.has(filter.proto ?? -1)) throw new FilterNotExpressibleError(field, `protocol ${protoNumberToName(filter.proto ?? 0)} has no ports`);
    args.push(flag, singlePort(field, range));
  }
  if (filter.states?.length) {
    const states = sortStates(filter.states);
    if (states.length > 1) throw new FilterNotExpressibleError('states', 'conntrack matches one --state only');
    if (!allStateNames(filter.proto).includes(states[0] ?? '')) throw new FilterNotExpressibleError('states', `state ${states[0]} does not exist for ${protoNumberToName(filter.proto ?? 0)}`);
    args.push('--state', states[0] ?? '');
  }
  const required = filter.statusRequired ?? [];
  const forbidden = filter.statusForbidden ?? [];
  for (const [field, flags] of [['statusRequired', required], ['statusForbidden', forbidden]] as const) {
    const unnamed = flags.filter((flag) => !CLI_STATUS_FLAGS.has(flag));
    if (unnamed.length) throw new FilterNotExpressibleError(field, `conntrack -u has no name for ${unnamed.join(', ')}`);
  }
  if (required.length && forbidden.length) {
    throw new FilterNotExpressibleError('statusForbidden', 'conntrack 1.4.7 cannot combine required and forbidden status bits in -u');
  }
  if (required.length) args.push('-u', sortStatus(required).join(','));
  if (forbidden.length) args.push('-u', sortStatus(forbidden).map((flag) => (flag === 'SEEN_REPLY' ? 'UNREPLIED' : `!${flag}`)).join(','));
  if (filter.mark !== undefined) {
    const { value, mask } = filter.mark;
    args.push('-m', mask === 0xffffffff ? String(value) : `0x${value.toString(16)}/0x${mask.toString(16)}`);
  }
  if (filter.zone !== undefined) args.push('-w', String(filter.zone));
  switch (filter.nat) {
    case 'snat':
      args.push('-n');
      break;
    case 'dnat':
      args.push('-g');
      break;
    case 'both':
      args.push('-n', '-g');
      break;
    case 'any':
      args.push('-j');
      break;
    case undefined:
      break;
  }
  return args;
}
