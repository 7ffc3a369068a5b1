/** The compact UI query syntax ⇄ FlowFilter, e.g. `tcp dport:443 src:10.0.0.0/8 state:established !assured`. */
import { STATUS_BITS, type Family, type StatusFlag } from '../flow';
import { parseAddress } from './address';
import { lexQuery, quoteTerm, type QueryToken } from './query-lexer';
import { FilterSyntaxError, type FlowFilter, type NatMatch } from './types';
import {
  PORT_PROTOS,
  allStateNames,
  formatPortRange,
  isStatusFlag,
  parseAddressFilter,
  parsePortRange,
  parseProto,
  parseState,
  parseU16,
  parseU32,
  protoNumberToName,
  sortStates,
  sortStatus,
  type Parsed,
} from './vocab';
import { PROTO_NUMBERS } from '../flow';

const ADDRESS_KEYS = { src: 'src', dst: 'dst', 'reply-src': 'replySrc', 'reply-dst': 'replyDst' } as const;
const PORT_KEYS = { sport: 'sport', dport: 'dport', 'reply-sport': 'replySport', 'reply-dport': 'replyDport' } as const;
const OTHER_KEYS = ['proto', 'family', 'state', 'mark', 'zone'] as const;
const ALL_KEYS: readonly string[] = [...Object.keys(ADDRESS_KEYS), ...Object.keys(PORT_KEYS), ...OTHER_KEYS];
const NAT_WORDS: Readonly<Record<string, NatMatch>> = { snat: 'snat', dnat: 'dnat', nat: 'any' };
const KEY_LIKE = /^([A-Za-z][A-Za-z_-]*):/;

/** A bare word that means something other than free text (status words may carry a leading "!"). */
function isKeywordText(word: string): boolean {
  const lower = word.toLowerCase();
  const bare = lower.startsWith('!') ? lower.slice(1) : lower;
  if (lower === 'ipv4' || lower === 'ipv6' || lower in NAT_WORDS) return true;
  if (PROTO_NUMBERS[lower] !== undefined) return true;
  if (bare === 'unreplied' || isStatusFlag(bare.toUpperCase())) return true;
  return KEY_LIKE.test(word) && parseAddress(word.split('/')[0] ?? '') === null;
}

/**
 * Parses the UI query syntax. Words: a protocol name (tcp, udp, icmp, ...), ipv4 / ipv6, a status
 * flag (assured, seen_reply, ...; `!flag` forbids it; `unreplied` = `!seen_reply`), snat / dnat /
 * nat. Keys: src: dst: reply-src: reply-dst: (address or CIDR), sport: dport: reply-sport:
 * reply-dport: (N or N-M), state: (comma list), proto:, family:, mark:V[/M], zone:. Any other word,
 * or "quoted text", is a free-text term. Throws FilterSyntaxError with the offending token.
 */
export function parseQuery(query: string): FlowFilter {
  const filter: FlowFilter = {};
  const seenKeys = new Map<string, QueryToken>();
  const required: StatusFlag[] = [];
  const forbidden: StatusFlag[] = [];
  const text: string[] = [];
  let natToken: QueryToken | undefined;
  let stateToken: { token: QueryToken; valueStart: number } | undefined;
  const portTokens: { token: QueryToken; key: string }[] = [];

  const once = (key: string, token: QueryToken) => {
    if (seenKeys.has(key)) throw new FilterSyntaxError(token.text, token.start, token.end, `${key} is given twice: expected it once`);
    seenKeys.set(key, token);
  };

  for (const token of lexQuery(query)) {
    if (token.quoted) {
      if (token.text === '') throw new FilterSyntaxError('""', token.start, token.end, 'expected text inside the quotes');
      text.push(token.text);
      continue;
    }
    const word = token.text;
    const lower = word.toLowerCase();
    const keyMatch = KEY_LIKE.exec(word);
    if (keyMatch && parseAddress(word.split('/')[0] ?? '') === null) {
      const key = (keyMatch[1] ?? '').toLowerCase();
      const valueStart = token.start + keyMatch[0].length;
      const value = word.slice(keyMatch[0].length);
      const take = <T>(result: Parsed<T>, from = 0, to = value.length): T => {
        if (result.ok) return result.value;
        throw new FilterSyntaxError(value.slice(from, to), valueStart + from, valueStart + to, result.message);
      };
      if (!ALL_KEYS.includes(key)) {
        throw new FilterSyntaxError(word, token.start, token.end, `unknown key "${key}:": expected one of ${ALL_KEYS.map((k) => `${k}:`).join(' ')} (quote it for free text)`);
      }
      once(key, token);
      if (value === '') throw new FilterSyntaxError(word, token.start, token.end, `expected a value after ${key}:`);
      if (key in ADDRESS_KEYS) {
        filter[ADDRESS_KEYS[key as keyof typeof ADDRESS_KEYS]] = take(parseAddressFilter(value));
      } else if (key in PORT_KEYS) {
        filter[PORT_KEYS[key as keyof typeof PORT_KEYS]] = take(parsePortRange(value));
        portTokens.push({ token, key });
      } else if (key === 'proto') {
        once('protocol', token);
        filter.proto = take(parseProto(value));
      } else if (key === 'family') {
        once('family word', token);
        if (value !== 'ipv4' && value !== 'ipv6') take<never>({ ok: false, message: 'family must be ipv4 or ipv6' });
        filter.family = value as Family;
      } else if (key === 'state') {
        const states = value.split(',').map((s) => take(parseState(s, undefined)));
        filter.states = sortStates(states);
        stateToken = { token, valueStart };
      } else if (key === 'mark') {
        const slash = value.indexOf('/');
        const end = slash < 0 ? value.length : slash;
        const markValue = take(parseU32(value.slice(0, end)), 0, end);
        const mask = slash < 0 ? 0xffffffff : take(parseU32(value.slice(slash + 1)), slash + 1);
        filter.mark = { value: markValue, mask };
      } else if (key === 'zone') {
        filter.zone = take(parseU16(value));
      }
      continue;
    }
    if (PROTO_NUMBERS[lower] !== undefined) {
      once('protocol', token);
      filter.proto = PROTO_NUMBERS[lower];
      continue;
    }
    if (lower === 'ipv4' || lower === 'ipv6') {
      once('family word', token);
      filter.family = lower;
      continue;
    }
    if (lower in NAT_WORDS) {
      const mine = NAT_WORDS[lower] as NatMatch;
      const current = filter.nat;
      if (current === undefined) filter.nat = mine;
      else if (current !== mine && current !== 'any' && mine !== 'any') filter.nat = 'both';
      else throw new FilterSyntaxError(word, token.start, token.end, `cannot combine ${natToken?.text ?? 'nat'} with ${word}: use snat, dnat, "snat dnat" (both) or nat (either)`);
      natToken = token;
      continue;
    }
    const negated = lower.startsWith('!');
    const bare = negated ? lower.slice(1) : lower;
    if (bare === 'unreplied' || isStatusFlag(bare.toUpperCase())) {
      const flag: StatusFlag = bare === 'unreplied' ? 'SEEN_REPLY' : (bare.toUpperCase() as StatusFlag);
      const wantSet = bare === 'unreplied' ? negated : !negated;
      const [mine, other] = wantSet ? [required, forbidden] : [forbidden, required];
      if (other.includes(flag)) throw new FilterSyntaxError(word, token.start, token.end, `${flag.toLowerCase()} is both required and forbidden`);
      mine.push(flag);
      continue;
    }
    if (negated && bare.length > 0 && /^[a-z_]+$/.test(bare)) {
      throw new FilterSyntaxError(word, token.start, token.end, `expected a status flag after "!": ${STATUS_BITS.map((s) => s.toLowerCase()).join(', ')}, unreplied`);
    }
    text.push(word);
  }

  const proto = filter.proto;
  if (proto !== undefined) {
    for (const { token, key } of portTokens) {
      if (!PORT_PROTOS.has(proto)) throw new FilterSyntaxError(token.text, token.start, token.end, `${key}: needs a protocol with ports (tcp, udp, udplite, sctp, dccp), not ${protoNumberToName(proto)}`);
    }
    if (stateToken) {
      const names = allStateNames(proto);
      const bad = filter.states?.find((s) => !names.includes(s));
      if (bad !== undefined) {
        const { token, valueStart } = stateToken;
        const message = names.length ? `expected a ${protoNumberToName(proto)} state: ${names.join(', ')}` : `protocol ${protoNumberToName(proto)} has no states`;
        throw new FilterSyntaxError(token.text.slice(valueStart - token.start), valueStart, token.end, message);
      }
    }
  }
  if (required.length) filter.statusRequired = sortStatus(required);
  if (forbidden.length) filter.statusForbidden = sortStatus(forbidden);
  if (text.length) filter.text = text;
  return filter;
}

/** The canonical query text for a filter; parseQuery(printQuery(f)) deep-equals f. */
export function printQuery(filter: FlowFilter): string {
  const words: string[] = [];
  if (filter.family !== undefined) words.push(filter.family);
  if (filter.proto !== undefined) {
    const name = protoNumberToName(filter.proto);
    words.push(PROTO_NUMBERS[name] !== undefined ? name : `proto:${filter.proto}`);
  }
  for (const [key, field] of Object.entries(ADDRESS_KEYS)) {
    const value = filter[field];
    if (value !== undefined) words.push(`${key}:${value}`);
  }
  for (const [key, field] of Object.entries(PORT_KEYS)) {
    const range = filter[field];
    if (range !== undefined) words.push(`${key}:${formatPortRange(range)}`);
  }
  if (filter.states?.length) words.push(`state:${sortStates(filter.states).map((s) => s.toLowerCase()).join(',')}`);
  for (const flag of sortStatus(filter.statusRequired ?? [])) words.push(flag.toLowerCase());
  for (const flag of sortStatus(filter.statusForbidden ?? [])) words.push(flag === 'SEEN_REPLY' ? 'unreplied' : `!${flag.toLowerCase()}`);
  if (filter.mark !== undefined) {
    const { value, mask } = filter.mark;
    words.push(mask === 0xffffffff ? `mark:${value}` : `mark:0x${value.toString(16)}/0x${mask.toString(16)}`);
  }
  if (filter.zone !== undefined) words.push(`zone:${filter.zone}`);
  switch (filter.nat) {
    case 'snat':
    case 'dnat':
      words.push(filter.nat);
      break;
    case 'both':
      words.push('snat', 'dnat');
      break;
    case 'any':
      words.push('nat');
      break;
    case undefined:
      break;
  }
  for (const term of filter.text ?? []) words.push(quoteTerm(term, (bare) => !isKeywordText(bare) && !bare.startsWith('!')));
  return words.join(' ');
}
