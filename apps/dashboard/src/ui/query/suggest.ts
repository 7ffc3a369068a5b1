import type { WireFlow } from '@ctscope/protocol';
import { CONNTRACK_OPTIONS, FAMILY_WORDS, NAT_WORDS, PROTOCOLS, QUERY_KEYS, STATE_NAMES, STATUS_WORDS } from './vocabulary';

export interface Suggestion {
  /** What the list shows. */
  label: string;
  /** Text that replaces the token being typed. */
  insert: string;
  hint?: string;
}

export interface Suggestions {
  /** [from, to) of the text the chosen suggestion replaces. */
  from: number;
  to: number;
  items: Suggestion[];
}

/** Values seen in the table right now, offered after `src:`, `dport:`... */
export interface SeenValues {
  src: readonly string[];
  dst: readonly string[];
  sport: readonly number[];
  dport: readonly number[];
  mark: readonly number[];
  zone: readonly number[];
}

export const NO_SEEN_VALUES: SeenValues = { src: [], dst: [], sport: [], dport: [], mark: [], zone: [] };

const MAX_ITEMS = 12;

function byPrefix(prefix: string, items: Suggestion[]): Suggestion[] {
  const lower = prefix.toLowerCase();
  return items.filter((s) => s.insert.toLowerCase().startsWith(lower) && s.insert.toLowerCase() !== lower).slice(0, MAX_ITEMS);
}

function valuesFor(key: string, seen: SeenValues): Suggestion[] {
  const words = (list: readonly string[], hint?: string) => list.map((w) => ({ label: w, insert: w, ...(hint ? { hint } : {}) }));
  switch (key) {
    case 'proto':
      return words(PROTOCOLS);
    case 'family':
      return words(FAMILY_WORDS);
    case 'src':
    case 'reply-src':
      return words(seen.src, 'in view');
    case 'dst':
    case 'reply-dst':
      return words(seen.dst, 'in view');
    case 'sport':
    case 'reply-sport':
      return words(seen.sport.map(String), 'in view');
    case 'dport':
    case 'reply-dport':
      return words(seen.dport.map(String), 'in view');
    case 'mark':
      return words(seen.mark.map(String), 'in view');
    case 'zone':
      return words(seen.zone.map(String), 'in view');
    default:
      return [];
  }
}

/** What could complete the word under the caret: keys, words, or values for the key being typed. */
export function suggest(text: string, caret: number, seen: SeenValues = NO_SEEN_VALUES): Suggestions {
  let from = caret;
  while (from > 0 && !/\s/.test(text[from - 1] ?? '')) from--;
  const token = text.slice(from, caret);
  const none: Suggestions = { from, to: caret, items: [] };
  if (text.slice(0, from).includes('"') && (text.slice(0, from).match(/"/g) ?? []).length % 2 === 1) return none;

  if (text.trimStart().startsWith('-')) {
    if (!token.startsWith('-')) return none;
    return { from, to: caret, items: byPrefix(token, CONNTRACK_OPTIONS.map((o) => ({ label: o.key, insert: o.key, hint: o.hint }))) };
  }

  const colon = token.indexOf(':');
  if (colon > 0) {
    const key = token.slice(0, colon).toLowerCase();
    const value = token.slice(colon + 1);
    if (key === 'state') {
      const comma = value.lastIndexOf(',');
      const start = from + colon + 1 + comma + 1;
      const part = value.slice(comma + 1);
      return { from: start, to: caret, items: byPrefix(part, STATE_NAMES.map((s) => ({ label: s, insert: s }))) };
    }
    const items = valuesFor(key, seen);
    return { from: from + colon + 1, to: caret, items: byPrefix(value, items) };
  }
  if (token === '') return none;

  const candidates: Suggestion[] = [
    ...QUERY_KEYS.map((k) => ({ label: k.key, insert: k.key, hint: k.hint })),
    ...PROTOCOLS.map((p) => ({ label: p, insert: p, hint: 'protocol' })),
    ...STATUS_WORDS.map((s) => ({ label: s, insert: s, hint: 'status flag' })),
    ...STATUS_WORDS.filter((s) => s !== 'unreplied').map((s) => ({ label: `!${s}`, insert: `!${s}`, hint: 'status flag not set' })),
    ...NAT_WORDS.map((n) => ({ label: n, insert: n, hint: 'NAT' })),
    ...FAMILY_WORDS.map((f) => ({ label: f, insert: f, hint: 'family' })),
  ];
  return { from, to: caret, items: byPrefix(token, candidates) };
}

/** Collects the distinct values in view, most frequent first, for value suggestions. */
export function seenValues(rows: readonly WireFlow[]): SeenValues {
  const top = <T>(values: (T | undefined)[]): T[] => {
    const counts = new Map<T, number>();
    for (const v of values) if (v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 50).map(([v]) => v);
  };
  return {
    src: top(rows.map((r) => r.orig.src)),
    dst: top(rows.map((r) => r.orig.dst)),
    sport: top(rows.map((r) => r.orig.sport)),
    dport: top(rows.map((r) => r.orig.dport)),
    mark: top(rows.map((r) => r.mark)),
    zone: top(rows.map((r) => r.zone)),
  };
}
