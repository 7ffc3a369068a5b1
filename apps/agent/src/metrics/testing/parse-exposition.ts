/**
 * A strict reader of Prometheus text format 0.0.4, for tests: it throws on anything a Prometheus
 * server would reject or that our renderer should never produce (sample before its TYPE, duplicate
 * TYPE or series, bad names, bad escapes, a missing final newline).
 */
export interface ParsedSample {
  labels: Record<string, string>;
  value: number;
}
export interface ParsedFamily {
  help: string;
  type: string;
  samples: ParsedSample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*/;

function unescape(text: string, allowQuote: boolean): string {
  return text.replace(/\\(.)/g, (_, c: string) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    if (c === '"' && allowQuote) return '"';
    throw new Error(`bad escape \\${c}`);
  });
}

function parseValue(text: string): number {
  if (text === 'NaN') return Number.NaN;
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (!/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(text)) throw new Error(`bad value ${text}`);
  return Number(text);
}

function parseLabels(text: string): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let rest = text.slice(1);
  while (!rest.startsWith('}')) {
    const name = LABEL.exec(rest)?.[0];
    if (!name) throw new Error(`bad label name in ${text}`);
    if (name in labels) throw new Error(`duplicate label ${name}`);
    rest = rest.slice(name.length);
    if (!rest.startsWith('="')) throw new Error(`expected =" after ${name}`);
    rest = rest.slice(2);
    let end = 0;
    while (end < rest.length && rest[end] !== '"') end += rest[end] === '\\' ? 2 : 1;
    if (end >= rest.length) throw new Error(`unterminated label value in ${text}`);
    labels[name] = unescape(rest.slice(0, end), true);
    rest = rest.slice(end + 1);
    if (rest.startsWith(',')) rest = rest.slice(1);
    else if (!rest.startsWith('}')) throw new Error(`expected , or } in ${text}`);
  }
  return { labels, rest: rest.slice(1) };
}

export function parseExposition(text: string): Map<string, ParsedFamily> {
  if (text !== '' && !text.endsWith('\n')) throw new Error('exposition must end with a newline');
  const families = new Map<string, ParsedFamily>();
  const series = new Set<string>();
  let help: { name: string; text: string } | null = null;
  for (const line of text.split('\n').slice(0, -1)) {
    if (line.startsWith('# HELP ')) {
      const [, name = '', helpText = ''] = /^# HELP (\S+) (.*)$/.exec(line) ?? [];
      if (!NAME.test(name) || families.has(name)) throw new Error(`bad or repeated HELP: ${line}`);
      help = { name, text: unescape(helpText, false) };
    } else if (line.startsWith('# TYPE ')) {
      const [, name = '', type = ''] = /^# TYPE (\S+) (counter|gauge|untyped|summary|histogram)$/.exec(line) ?? [];
      if (!name || families.has(name)) throw new Error(`bad or repeated TYPE: ${line}`);
      if (help?.name !== name) throw new Error(`TYPE without HELP just before: ${line}`);
      families.set(name, { help: help.text, type, samples: [] });
    } else if (line.startsWith('#') || line.trim() === '') {
      throw new Error(`unexpected line: ${JSON.stringify(line)}`);
    } else {
      const name = NAME.exec(line)?.[0];
      const family = name ? families.get(name) : undefined;
      if (!name || !family) throw new Error(`sample before its TYPE: ${line}`);
      let rest = line.slice(name.length);
      let labels: Record<string, string> = {};
      if (rest.startsWith('{')) ({ labels, rest } = parseLabels(rest));
      if (!rest.startsWith(' ') || rest.slice(1).includes(' ')) throw new Error(`expected one space then the value: ${line}`);
      const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
      if (series.has(key)) throw new Error(`duplicate series: ${line}`);
      series.add(key);
      family.samples.push({ labels, value: parseValue(rest.slice(1)) });
    }
  }
  return families;
}

/** The value of one series; undefined when absent. */
export function valueOf(families: Map<string, ParsedFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = JSON.stringify(Object.entries(labels).sort());
  return families.get(name)?.samples.find((s) => JSON.stringify(Object.entries(s.labels).sort()) === wanted)?.value;
}
