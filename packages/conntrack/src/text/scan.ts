import { TextParseError } from './errors';

export interface TextToken {
  text: string;
  start: number;
}

/** Splits on spaces/tabs; a `[...]` group is one token even when it holds spaces ([start=Wed Nov ...]). */
export function scanTokens(line: string): TextToken[] {
  const tokens: TextToken[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    const ch = line.charCodeAt(i);
    if (ch === 32 || ch === 9) {
      i++;
      continue;
    }
    const start = i;
    if (ch === 91 /* [ */) {
      const close = line.indexOf(']', i);
      if (close < 0) throw new TextParseError(line, i, 'expected "]" to close "["');
      i = close + 1;
    } else {
      while (i < n && line.charCodeAt(i) !== 32 && line.charCodeAt(i) !== 9) i++;
    }
    tokens.push({ text: line.slice(start, i), start });
  }
  return tokens;
}

/** Reads tokens in order and reports errors with the line and column. */
export class TokenReader {
  private index = 0;
  constructor(
    readonly line: string,
    private readonly tokens: readonly TextToken[],
  ) {}

  peek(): TextToken | undefined {
    return this.tokens[this.index];
  }

  next(): TextToken | undefined {
    return this.tokens[this.index++];
  }

  done(): boolean {
    return this.index >= this.tokens.length;
  }

  /** Position for an error: the current token, or the end of the line. */
  position(): number {
    return this.tokens[this.index]?.start ?? this.line.length;
  }

  fail(expected: string, at = this.position()): never {
    throw new TextParseError(this.line, at, expected);
  }

  /** Consumes `key=value` when the next token has that key; returns the value. */
  optionalValue(key: string): string | undefined {
    const token = this.peek();
    if (token === undefined || !token.text.startsWith(`${key}=`)) return undefined;
    this.index++;
    return token.text.slice(key.length + 1);
  }

  value(key: string): string {
    const value = this.optionalValue(key);
    if (value === undefined) this.fail(`expected ${key}=`);
    return value;
  }

  /** Consumes a bare token equal to `text`. */
  optional(text: string): boolean {
    if (this.peek()?.text !== text) return false;
    this.index++;
    return true;
  }

  /** Parses an unsigned decimal integer below `max` from the token just read (or the one at `at`). */
  uint(text: string, max: number, what: string, at: number): number {
    if (!/^\d{1,10}$/.test(text) || Number(text) > max) this.fail(`expected ${what} (0-${max})`, at);
    return Number(text);
  }

  lastStart(): number {
    return this.tokens[this.index - 1]?.start ?? 0;
  }
}
