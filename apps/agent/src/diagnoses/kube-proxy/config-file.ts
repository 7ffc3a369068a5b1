import { parseGoDuration } from './duration';
import { defaultSettings, type ConntrackSettings, type KubeProxySettings, type SettingKey } from './settings';

type Kind = 'int' | 'duration' | 'bool';

/** The `conntrack:` section of a KubeProxyConfiguration (kubeproxy.config.k8s.io/v1alpha1). */
export const CONFIG_FIELDS: Readonly<Record<string, { key: SettingKey; kind: Kind }>> = {
  maxPerCore: { key: 'maxPerCore', kind: 'int' },
  min: { key: 'min', kind: 'int' },
  tcpEstablishedTimeout: { key: 'tcpEstablishedTimeout', kind: 'duration' },
  tcpCloseWaitTimeout: { key: 'tcpCloseWaitTimeout', kind: 'duration' },
  tcpBeLiberal: { key: 'tcpBeLiberal', kind: 'bool' },
  udpTimeout: { key: 'udpTimeout', kind: 'duration' },
  udpStreamTimeout: { key: 'udpStreamTimeout', kind: 'duration' },
};

interface RawField {
  name: string;
  /** Scalar as written (unquoted); null for null / ~ / nothing (kube-proxy then uses its default). */
  value: string | number | boolean | null;
  line: number | null;
}

function unquote(text: string): string {
  const t = text.trim();
  if ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'"))) return t.slice(1, -1);
  return t;
}

/** Drops a trailing YAML comment (" #..." outside quotes). */
function stripComment(text: string): string {
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) return text.slice(0, i).trimEnd();
  }
  return text.trimEnd();
}

const scalar = (text: string): string | null => {
  const t = unquote(stripComment(text));
  return t === '' || t === 'null' || t === '~' ? null : t;
};

/** The fields of the top-level `conntrack:` mapping, block or flow style, with their line numbers. */
function yamlConntrackFields(text: string): RawField[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^conntrack\s*:/.test(l));
  if (start < 0) return [];
  const inline = stripComment((lines[start] as string).replace(/^conntrack\s*:/, '')).trim();
  if (inline.startsWith('{')) {
    const body = inline.replace(/^\{|\}$/g, '');
    return body
      .split(',')
      .map((pair) => /^\s*([A-Za-z]+)\s*:\s*(.*)$/.exec(pair))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ name: m[1] as string, value: scalar(m[2] as string), line: start + 1 }));
  }
  const fields: RawField[] = [];
  let indent: number | null = null;
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (/^\s*(#.*)?$/.test(line)) continue;
    const depth = line.length - line.trimStart().length;
    if (depth === 0) break;
    indent ??= depth;
    if (depth !== indent) continue;
    const m = /^\s+([A-Za-z]+)\s*:(.*)$/.exec(line);
    if (m) fields.push({ name: m[1] as string, value: scalar(m[2] as string), line: i + 1 });
  }
  return fields;
}

function jsonConntrackFields(text: string): RawField[] {
  const doc = JSON.parse(text) as { conntrack?: Record<string, unknown> };
  const section = doc.conntrack && typeof doc.conntrack === 'object' ? doc.conntrack : {};
  return Object.entries(section).map(([name, v]) => ({ name, value: typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : null, line: null }));
}

function convert(kind: Kind, value: string | number | boolean): number | boolean | null {
  if (kind === 'bool') return typeof value === 'boolean' ? value : value === 'true' ? true : value === 'false' ? false : null;
  if (kind === 'duration') return typeof value === 'string' ? parseGoDuration(value) : null;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 0 && n <= 2 ** 31 - 1 ? n : null;
}

/** A KubeProxyConfiguration file (YAML or JSON) → kube-proxy's conntrack settings, defaults filled in. */
export function parseKubeProxyConfig(text: string, file: string): Omit<KubeProxySettings, 'configFile'> {
  const { values, origins } = defaultSettings();
  const problems: string[] = [];
  let fields: RawField[];
  try {
    fields = text.trimStart().startsWith('{') ? jsonConntrackFields(text) : yamlConntrackFields(text);
  } catch {
    return { values, origins, problems: [`${file}: not valid JSON`] };
  }
  for (const field of fields) {
    const spec = CONFIG_FIELDS[field.name];
    if (!spec || field.value === null) continue;
    const value = convert(spec.kind, field.value);
    const shown = `${field.name}: ${String(field.value)}`;
    if (value === null) {
      problems.push(`${file}${field.line !== null ? `:${field.line}` : ''}: ${shown} is not a valid ${spec.kind === 'int' ? 'number' : spec.kind}`);
      continue;
    }
    (values as Record<SettingKey, ConntrackSettings[SettingKey]>)[spec.key] = value;
    origins[spec.key] = { kind: 'config', file, line: field.line, text: shown };
  }
  return { values, origins, problems };
}
