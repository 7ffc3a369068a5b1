/** kube-proxy's conntrack settings (KubeProxyConntrackConfiguration), durations in seconds. */
export interface ConntrackSettings {
  maxPerCore: number;
  min: number;
  tcpEstablishedTimeout: number;
  tcpCloseWaitTimeout: number;
  tcpBeLiberal: boolean;
  udpTimeout: number;
  udpStreamTimeout: number;
}
export type SettingKey = keyof ConntrackSettings;

/** Where a value came from: a flag as given, a line of the config file, or kube-proxy's default. */
export type Origin = { kind: 'flag'; text: string } | { kind: 'config'; file: string; line: number | null; text: string } | { kind: 'default' };

export interface KubeProxySettings {
  values: ConntrackSettings;
  origins: Record<SettingKey, Origin>;
  /** The config file when kube-proxy was started with --config (then its conntrack flags are ignored). */
  configFile: string | null;
  /** Values kube-proxy would refuse (it would not start with them), as given. */
  problems: string[];
}

/** kube-proxy's defaults (SetDefaults_KubeProxyConfiguration; the UDP ones since 1.29: 0 = leave alone). */
export const KUBE_PROXY_DEFAULTS: ConntrackSettings = {
  maxPerCore: 32 * 1024,
  min: 128 * 1024,
  tcpEstablishedTimeout: 24 * 3600,
  tcpCloseWaitTimeout: 3600,
  tcpBeLiberal: false,
  udpTimeout: 0,
  udpStreamTimeout: 0,
};

export const SETTING_KEYS = Object.keys(KUBE_PROXY_DEFAULTS) as SettingKey[];

export function defaultSettings(): Pick<KubeProxySettings, 'values' | 'origins'> {
  return {
    values: { ...KUBE_PROXY_DEFAULTS },
    origins: Object.fromEntries(SETTING_KEYS.map((k) => [k, { kind: 'default' }])) as Record<SettingKey, Origin>,
  };
}

export function originText(origin: Origin): string {
  if (origin.kind === 'flag') return origin.text;
  if (origin.kind === 'config') return `${origin.file}${origin.line !== null ? `:${origin.line}` : ''} (${origin.text})`;
  return "kube-proxy's default";
}
