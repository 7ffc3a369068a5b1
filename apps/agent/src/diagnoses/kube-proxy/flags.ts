import { parseGoDuration } from './duration';
import { defaultSettings, type ConntrackSettings, type KubeProxySettings, type SettingKey } from './settings';

type Kind = 'int' | 'duration' | 'bool';

/** kube-proxy's conntrack flags (pflag: `--name=value` or `--name value`; the last one given wins). */
export const CONNTRACK_FLAGS: Readonly<Record<string, { key: SettingKey; kind: Kind }>> = {
  'conntrack-max-per-core': { key: 'maxPerCore', kind: 'int' },
  'conntrack-min': { key: 'min', kind: 'int' },
  'conntrack-tcp-timeout-established': { key: 'tcpEstablishedTimeout', kind: 'duration' },
  'conntrack-tcp-timeout-close-wait': { key: 'tcpCloseWaitTimeout', kind: 'duration' },
  'conntrack-tcp-be-liberal': { key: 'tcpBeLiberal', kind: 'bool' },
  'conntrack-udp-timeout': { key: 'udpTimeout', kind: 'duration' },
  'conntrack-udp-timeout-stream': { key: 'udpStreamTimeout', kind: 'duration' },
};

const INT32 = /^[+-]?\d{1,10}$/;

function parseValue(kind: Kind, text: string): number | boolean | null {
  if (kind === 'bool') return text === 'true' || text === '1' || text === 't' || text === 'TRUE' || text === 'True' ? true : text === 'false' || text === '0' || text === 'f' || text === 'FALSE' || text === 'False' ? false : null;
  if (kind === 'duration') return parseGoDuration(text);
  if (!INT32.test(text)) return null;
  const n = Number(text);
  return n >= 0 && n <= 2 ** 31 - 1 ? n : null;
}

export interface ParsedCommandLine extends Omit<KubeProxySettings, 'configFile'> {
  /** The value of --config, as given (relative to kube-proxy's working directory when not absolute). */
  config: string | null;
}

/** kube-proxy's argv (argv[0] included) → its conntrack settings from flags and defaults, and --config. */
export function parseKubeProxyArgs(argv: readonly string[]): ParsedCommandLine {
  const { values, origins } = defaultSettings();
  const problems: string[] = [];
  let config: string | null = null;
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') break;
    const m = /^--?([a-z0-9-]+)(?:=(.*))?$/s.exec(arg);
    if (!m) continue;
    const name = m[1] as string;
    const flag = CONNTRACK_FLAGS[name];
    if (name !== 'config' && !flag) continue;
    let text = m[2];
    let shown = arg;
    if (text === undefined && flag?.kind !== 'bool') {
      text = argv[i + 1];
      if (text === undefined) break;
      shown = `${arg} ${text}`;
      i++;
    }
    if (name === 'config') {
      config = text ?? null;
      continue;
    }
    if (!flag) continue;
    const value = parseValue(flag.kind, text ?? 'true');
    if (value === null) {
      problems.push(`${shown}: not a valid ${flag.kind === 'int' ? 'number' : flag.kind}`);
      continue;
    }
    (values as Record<SettingKey, ConntrackSettings[SettingKey]>)[flag.key] = value;
    origins[flag.key] = { kind: 'flag', text: shown.length > 200 ? `${shown.slice(0, 200)}…` : shown };
  }
  return { values, origins, problems, config };
}
