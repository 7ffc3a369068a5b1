import { FilterArgsError, FilterNotExpressibleError, FilterSyntaxError, parseConntrackArgs, parseQuery, printConntrackArgs, type FlowFilter } from '@ctscope/conntrack/filter';

export type QuerySyntax = 'query' | 'conntrack';

export type QueryCheck =
  | { ok: true; filter: FlowFilter; syntax: QuerySyntax }
  /** `start`/`end` mark the offending text in what the person typed. */
  | { ok: false; message: string; start: number; end: number };

interface Arg {
  text: string;
  start: number;
  end: number;
}

/** Whether the text reads as pasted `conntrack` arguments (the agent applies the same rule). */
export const looksLikeConntrackArgs = (text: string): boolean => {
  const trimmed = text.trim();
  return trimmed.startsWith('-') || /^conntrack(\s|$)/.test(trimmed);
};

/** Splits like the agent does (on whitespace, dropping a leading `conntrack` and `-L`), keeping offsets. */
function splitArgs(text: string): Arg[] {
  const args: Arg[] = [];
  for (const match of text.matchAll(/\S+/g)) args.push({ text: match[0], start: match.index, end: match.index + match[0].length });
  if (args[0]?.text === 'conntrack') args.shift();
  if (args[0]?.text === '-L' || args[0]?.text === '--dump') args.shift();
  return args;
}

/**
 * Checks a query in the browser with the same parser the agent runs, so a mistake is shown under the
 * input, pointing at the token, before anything is sent.
 */
export function checkQuery(text: string): QueryCheck {
  if (looksLikeConntrackArgs(text)) {
    const args = splitArgs(text);
    try {
      return { ok: true, filter: parseConntrackArgs(args.map((a) => a.text)), syntax: 'conntrack' };
    } catch (err) {
      if (err instanceof FilterArgsError) {
        const arg = args[err.index] ?? args[args.length - 1];
        return { ok: false, message: err.expected, start: arg?.start ?? 0, end: arg?.end ?? text.length };
      }
      if (err instanceof TypeError) return { ok: false, message: err.message, start: 0, end: text.length };
      throw err;
    }
  }
  try {
    return { ok: true, filter: parseQuery(text), syntax: 'query' };
  } catch (err) {
    if (err instanceof FilterSyntaxError) return { ok: false, message: err.expected, start: err.start, end: err.end };
    throw err;
  }
}

export type CommandResult = { ok: true; command: string } | { ok: false; reason: string };

/** The `conntrack -L` command that lists what the filter matches, or why the CLI cannot say it. */
export function conntrackCommand(filter: FlowFilter): CommandResult {
  try {
    const args = printConntrackArgs(filter);
    return { ok: true, command: ['conntrack', '-L', ...args].join(' ') };
  } catch (err) {
    if (err instanceof FilterNotExpressibleError) return { ok: false, reason: err.message };
    throw err;
  }
}
