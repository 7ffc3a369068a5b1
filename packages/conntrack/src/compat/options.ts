/**
 * conntrack-tools 1.4.7's command-line vocabulary, as data: its commands, its options (bit order is
 * conntrack's, so "the first illegal option" is the one it names), which option each command allows,
 * and the per-protocol options that become available after `-p`.
 */

export type CtCommandName = 'list' | 'create' | 'update' | 'delete' | 'get' | 'flush' | 'event' | 'version' | 'help' | 'count' | 'stats' | 'add';
export type CtTable = 'conntrack' | 'expect' | 'dying' | 'unconfirmed';

/** Option letters in conntrack's bit order (CT_OPT_*), with the long names its messages use. */
export const OPT_LETTERS = ['s', 'd', 'r', 'q', 'p', 't', 'u', 'z', 'e', '[', ']', '{', '}', 'a', 'm', 'i', 'f', 'n', 'g', 'o', 'c', 'b', 'j', 'w', 'l', '<', '>', '(', ')'] as const;
export type OptLetter = (typeof OPT_LETTERS)[number];
export const OPT_NAMES: Readonly<Record<OptLetter, string>> = {
  s: 'src', d: 'dst', r: 'reply-src', q: 'reply-dst', p: 'protonum', t: 'timeout', u: 'status', z: 'zero', e: 'event-mask',
  '[': 'tuple-src', ']': 'tuple-dst', '{': 'mask-src', '}': 'mask-dst', a: 'nat-range', m: 'mark', i: 'id', f: 'family',
  n: 'src-nat', g: 'dst-nat', o: 'output', c: 'secmark', b: 'buffer-size', j: 'any-nat', w: 'zone', l: 'label',
  '<': 'label-add', '>': 'label-del', '(': 'orig-zone', ')': 'reply-zone',
};
export const optBit = (letter: OptLetter): number => 1 << OPT_LETTERS.indexOf(letter);

/** 0 illegal, 1 compulsory, 2 optional, 3 "see the coupled checks" (conntrack's commands_v_options). */
type Row = readonly (0 | 1 | 2 | 3)[];
const row = (text: string): Row => text.split('').map(Number) as Row;
export type MatrixKey = CtCommandName | 'exp-list' | 'exp-create' | 'exp-delete' | 'exp-get' | 'exp-flush' | 'exp-event' | 'exp-count' | 'exp-stats';
export const COMMAND_OPTIONS: Readonly<Record<MatrixKey, Row>> = {
  list: row('22222022000220202222202220022'),
  create: row('33331120000002200220000202022'),
  update: row('22222220000220222222000022200'),
  delete: row('22222220000220222222000220022'),
  get: row('33331000000000020002000020000'),
  flush: row('00000000000000002000000000000'),
  event: row('22222000200220202222222220022'),
  version: row('00000000000000000000000000000'),
  help: row('00002000000000000000000000000'),
  'exp-list': row('00000000000000002002000000000'),
  'exp-create': row('11221120011110000000000000000'),
  'exp-delete': row('11221000000000000000000000000'),
  'exp-get': row('11221000000000000000000000000'),
  'exp-flush': row('00000000000000000000000000000'),
  'exp-event': row('00000000000000000002000000000'),
  count: row('00000000000000000000000000000'),
  'exp-count': row('00000000000000000000000000000'),
  stats: row('00000000000000000000000000000'),
  'exp-stats': row('00000000000000000000000000000'),
  add: row('33331120000002200220000202022'),
};

/** has_arg: 0 none, 1 required, 2 optional (attached with `=` only, or taken by conntrack's own look-ahead). */
export interface LongOption {
  name: string;
  hasArg: 0 | 1 | 2;
  /** The short letter (or the protocol option's key) it stands for. */
  key: string;
}

const L = (name: string, hasArg: 0 | 1 | 2, key: string): LongOption => ({ name, hasArg, key });
export const COMMAND_LETTERS = 'LIUDGEFACSVh';
export const GENERAL_LONG: readonly LongOption[] = [
  L('dump', 2, 'L'), L('create', 2, 'I'), L('add', 2, 'A'), L('delete', 2, 'D'), L('update', 2, 'U'), L('get', 2, 'G'),
  L('flush', 2, 'F'), L('event', 2, 'E'), L('counter', 2, 'C'), L('stats', 0, 'S'), L('version', 0, 'V'), L('help', 0, 'h'),
  L('orig-src', 1, 's'), L('src', 1, 's'), L('orig-dst', 1, 'd'), L('dst', 1, 'd'), L('reply-src', 1, 'r'), L('reply-dst', 1, 'q'),
  L('protonum', 1, 'p'), L('timeout', 1, 't'), L('status', 1, 'u'), L('zero', 0, 'z'), L('event-mask', 1, 'e'),
  L('tuple-src', 1, '['), L('tuple-dst', 1, ']'), L('mask-src', 1, '{'), L('mask-dst', 1, '}'), L('nat-range', 1, 'a'),
  L('mark', 1, 'm'), L('secmark', 1, 'c'), L('id', 2, 'i'), L('family', 1, 'f'), L('src-nat', 2, 'n'), L('dst-nat', 2, 'g'),
  L('output', 1, 'o'), L('buffer-size', 1, 'b'), L('any-nat', 2, 'j'), L('zone', 1, 'w'), L('label', 1, 'l'),
  L('label-add', 1, '<'), L('label-del', 2, '>'), L('orig-zone', 1, '('), L('reply-zone', 1, ')'),
];
/** Short options of 1.4.7's getopt string: 0 none, 1 required, 2 optional (attached only). */
export const SHORT_OPTIONS: Readonly<Record<string, 0 | 1 | 2>> = {
  L: 2, I: 2, U: 2, D: 2, G: 2, E: 2, F: 2, A: 2, h: 0, V: 0, s: 1, d: 1, r: 1, q: 1, p: 1, t: 1, u: 1, e: 1, a: 1, z: 0,
  '[': 1, ']': 1, '{': 1, '}': 1, m: 1, i: 1, f: 1, o: 1, n: 2, g: 2, c: 1, b: 1, C: 2, S: 0, j: 2, w: 1, l: 1, '<': 1, '>': 2, '(': 1, ')': 1,
};

/** A protocol extension: its long options (keys 1-9 as in conntrack) and which command allows which. */
export interface ProtoHandler {
  name: string;
  num: number;
  options: readonly LongOption[];
  /** Option names in key order, for messages. */
  flags: readonly string[];
  matrix: Partial<Record<MatrixKey, Row>>;
  /** Pairs of which one must be complete where the matrix says 3 (ports: original, or reply). */
  coupled?: readonly [number, number];
  coupledMessages?: readonly [string, string];
  states?: readonly string[];
}

const PORT_OPTIONS = [
  L('orig-port-src', 1, '1'), L('sport', 1, '1'), L('orig-port-dst', 1, '2'), L('dport', 1, '2'), L('reply-port-src', 1, '3'),
  L('reply-port-dst', 1, '4'), L('mask-port-src', 1, '5'), L('mask-port-dst', 1, '6'),
];
const PORT_FLAGS = ['sport', 'dport', 'reply-port-src', 'reply-port-dst', 'mask-port-src', 'mask-port-dst', 'state', 'tuple-port-src', 'tuple-port-dst'];
const portMatrix = (withState: boolean): Partial<Record<MatrixKey, Row>> => {
  const s = withState ? '2' : '0';
  return {
    list: row(`222200${s}00`), create: row(`333300${withState ? '1' : '0'}00`), add: row(`333300${withState ? '1' : '0'}00`),
    update: row(`222200${s}00`), delete: row(`222200${s}00`), get: row(`333300${s}00`), event: row(`222200${s}00`),
    'exp-create': row('110011011'), 'exp-delete': row('111100000'), 'exp-get': row('111100000'),
  };
};
const PORTS_COUPLED = [0b0011, 0b1100] as const;
const PORTS_MESSAGES = ["you have to specify `--sport' and `--dport'", "you have to specify `--reply-src-port' and `--reply-dst-port'"] as const;
const TCP_STATE_LIST = ['NONE', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'TIME_WAIT', 'CLOSE', 'SYN_SENT2'];
const SCTP_STATE_LIST = ['NONE', 'CLOSED', 'COOKIE_WAIT', 'COOKIE_ECHOED', 'ESTABLISHED', 'SHUTDOWN_SENT', 'SHUTDOWN_RECD', 'SHUTDOWN_ACK_SENT', 'HEARTBEAT_SENT', 'HEARTBEAT_ACKED'];
const DCCP_STATE_LIST = ['NONE', 'REQUEST', 'RESPOND', 'PARTOPEN', 'OPEN', 'CLOSEREQ', 'CLOSING', 'TIMEWAIT', 'IGNORE', 'INVALID'];

const portProto = (name: string, num: number, states?: readonly string[]): ProtoHandler => ({
  name,
  num,
  options: states ? [...PORT_OPTIONS, L('state', 1, '7')] : PORT_OPTIONS,
  flags: PORT_FLAGS,
  matrix: portMatrix(states !== undefined),
  coupled: PORTS_COUPLED,
  coupledMessages: PORTS_MESSAGES,
  ...(states ? { states } : {}),
});
const icmpProto = (name: string, num: number): ProtoHandler => ({
  name,
  num,
  options: [L('icmp-type', 1, '1'), L('icmp-code', 1, '2'), L('icmp-id', 1, '3')],
  flags: ['icmp-type', 'icmp-code', 'icmp-id'],
  matrix: { list: row('222'), create: row('112'), add: row('112'), update: row('222'), delete: row('222'), get: row('112'), event: row('222') },
});

/** The protocols conntrack 1.4.7 registers, in its lookup order. */
export const PROTO_HANDLERS: readonly ProtoHandler[] = [
  portProto('tcp', 6, TCP_STATE_LIST),
  portProto('udp', 17),
  portProto('udplite', 136),
  portProto('sctp', 132, SCTP_STATE_LIST),
  portProto('dccp', 33, DCCP_STATE_LIST),
  icmpProto('icmp', 1),
  icmpProto('icmpv6', 58),
  { name: 'gre', num: 47, options: [], flags: [], matrix: {} },
];

/** Protocol names `-o save` prints (the registered ones); others print as numbers. */
export function registeredProtoName(num: number): string | undefined {
  return PROTO_HANDLERS.find((h) => h.num === num)?.name;
}

/** ctscope's own flags, which keep their meaning when given first. */
const OWN_FLAGS: ReadonlySet<string> = new Set(['-h', '--help', '--version', '-V']);
/**
 * Whether a command line is conntrack's: its first argument an option (`-L`, `--dump`, `--coun`, `-R`,
 * or one conntrack would refuse, so it says why) other than ctscope's own -h/--help/--version/-V, or the
 * word `conntrack` (which conntrack's getopt skips as a stray argument).
 */
export function isConntrackCommandLine(argv: readonly string[]): boolean {
  const first = argv[0];
  return first !== undefined && (first === 'conntrack' || (first.startsWith('-') && first.length > 1 && !OWN_FLAGS.has(first)));
}
