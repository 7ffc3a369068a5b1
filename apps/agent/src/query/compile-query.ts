import { FilterArgsError, FilterSyntaxError, compileFilter, parseConntrackArgs, parseQuery, type Flow, type FlowFilter } from '@ctscope/conntrack';

export type QueryResult = { ok: true; filter: FlowFilter; match: (flow: Flow) => boolean } | { ok: false; message: string };

/**
 * Compiles what a person typed: the query syntax (`tcp dport:443 !assured`) or pasted `conntrack`
 * arguments (`-p tcp --dport 443`), recognised by a leading dash. Errors point at the wrong token.
 */
export function compileQuery(text: string): QueryResult {
  const trimmed = text.trim();
  try {
    const filter = trimmed.startsWith('-') || /^conntrack(\s|$)/.test(trimmed) ? parseConntrackArgs(splitArgs(trimmed)) : parseQuery(trimmed);
    return { ok: true, filter, match: compileFilter(filter) };
  } catch (err) {
    if (err instanceof FilterSyntaxError || err instanceof FilterArgsError) return { ok: false, message: `query: ${err.message}` };
    if (err instanceof TypeError) return { ok: false, message: `query: ${err.message}` };
    throw err;
  }
}

/** `conntrack -L` arguments as a shell would split them (no quoting: no conntrack value needs spaces). */
function splitArgs(text: string): string[] {
  const args = text.split(/\s+/).filter((a) => a.length > 0);
  if (args[0] === 'conntrack') args.shift();
  if (args[0] === '-L' || args[0] === '--dump') args.shift();
  return args;
}
