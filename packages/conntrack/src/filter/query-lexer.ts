import { FilterSyntaxError } from './types';

export interface QueryToken {
  /** The token's text, unquoted. */
  text: string;
  /** [start, end) in the query string, quotes included. */
  start: number;
  end: number;
  quoted: boolean;
}

const isSpace = (ch: string) => ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';

/** Splits a query on whitespace; "double quotes" group words, with \" and \\ escapes inside. */
export function lexQuery(query: string): QueryToken[] {
  const tokens: QueryToken[] = [];
  let i = 0;
  while (i < query.length) {
    const ch = query[i] ?? '';
    if (isSpace(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (ch === '"') {
      let text = '';
      i++;
      for (;;) {
        if (i >= query.length) throw new FilterSyntaxError(query.slice(start), start, query.length, 'unterminated quote: expected a closing "');
        const c = query[i] ?? '';
        if (c === '\\' && i + 1 < query.length) {
          text += query[i + 1];
          i += 2;
        } else if (c === '"') {
          i++;
          break;
        } else {
          text += c;
          i++;
        }
      }
      if (i < query.length && !isSpace(query[i] ?? '')) {
        throw new FilterSyntaxError(query.slice(start, i + 1), start, i + 1, 'expected a space after the closing quote');
      }
      tokens.push({ text, start, end: i, quoted: true });
      continue;
    }
    while (i < query.length && !isSpace(query[i] ?? '')) {
      if (query[i] === '"') throw new FilterSyntaxError(query.slice(start, i + 1), start, i + 1, 'quotes must enclose a whole term, e.g. "free text"');
      i++;
    }
    tokens.push({ text: query.slice(start, i), start, end: i, quoted: false });
  }
  return tokens;
}

/** The query text for a free-text term: bare when it reads back as text, otherwise quoted. */
export function quoteTerm(term: string, readsAsText: (bare: string) => boolean): string {
  if (term !== '' && /^[^\s"\\]+$/.test(term) && readsAsText(term)) return term;
  return `"${term.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}
