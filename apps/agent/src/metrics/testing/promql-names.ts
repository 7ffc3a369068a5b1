/**
 * The metric names a PromQL expression reads, for checking dashboards and rules against what /metrics
 * serves. A small tokenizer, not a parser: it skips strings, label matchers `{...}`, ranges and
 * subqueries `[...]`, grouping lists (`by (...)`, `without`, `on`, `ignoring`, `group_left`,
 * `group_right`), functions and aggregations (an identifier followed by `(`), keywords, numbers,
 * durations and Grafana variables (`$x`, `${x}`, `[[x]]`). Whatever identifier is left is a metric name.
 */
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'inf', 'nan', 'atan2']);
/** Aggregations may put their grouping first: `sum by (x) (expr)`. */
const AGGREGATIONS = new Set(['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio']);
const GROUPING = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const IDENT = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const NUMBER = /(?:0x[0-9a-fA-F]+|[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9]+)(?:ms|[smhdwy])*/y;

/** Index just past the bracket that closes the one at `start` (strings inside are skipped). */
function closing(expr: string, start: number, open: string, close: string): number {
  let depth = 0;
  for (let i = start; i < expr.length; i++) {
    const c = expr[i];
    if (c === '"' || c === "'" || c === '`') i = skipString(expr, i) - 1;
    else if (c === open) depth++;
    else if (c === close && --depth === 0) return i + 1;
  }
  throw new Error(`unbalanced ${open} in ${JSON.stringify(expr)}`);
}

function skipString(expr: string, start: number): number {
  const quote = expr[start];
  for (let i = start + 1; i < expr.length; i++) {
    if (expr[i] === '\\' && quote !== '`') i++;
    else if (expr[i] === quote) return i + 1;
  }
  throw new Error(`unterminated string in ${JSON.stringify(expr)}`);
}

const nextNonSpace = (expr: string, from: number): number => {
  let i = from;
  while (i < expr.length && /\s/.test(expr[i] ?? '')) i++;
  return i;
};

export function metricNames(expr: string): Set<string> {
  const names = new Set<string>();
  let i = 0;
  while (i < expr.length) {
    const c = expr[i] ?? '';
    if (/\s/.test(c)) i++;
    else if (c === '"' || c === "'" || c === '`') i = skipString(expr, i);
    else if (c === '{') i = closing(expr, i, '{', '}');
    else if (c === '[') i = closing(expr, i, '[', ']');
    else if (c === '$') {
      // $name or ${name...}
      if (expr[i + 1] === '{') i = closing(expr, i + 1, '{', '}');
      else {
        IDENT.lastIndex = i + 1;
        i = IDENT.exec(expr) ? IDENT.lastIndex : i + 1;
      }
    } else if (/[0-9.]/.test(c)) {
      NUMBER.lastIndex = i;
      i = NUMBER.exec(expr) ? NUMBER.lastIndex : i + 1;
    } else if (/[a-zA-Z_:]/.test(c)) {
      IDENT.lastIndex = i;
      const word = IDENT.exec(expr)?.[0] ?? c;
      const after = nextNonSpace(expr, i + word.length);
      const lower = word.toLowerCase();
      if (GROUPING.has(lower) && expr[after] === '(') i = closing(expr, after, '(', ')');
      else if (KEYWORDS.has(lower) || expr[after] === '(' || (AGGREGATIONS.has(lower) && /^(by|without)\b/i.test(expr.slice(after)))) i += word.length;
      else {
        names.add(word);
        i += word.length;
      }
    } else i++;
  }
  return names;
}
