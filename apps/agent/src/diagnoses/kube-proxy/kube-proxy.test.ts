import { describe, expect, it } from 'vitest';
import { parseKubeProxyConfig } from './config-file';
import { formatGoDuration, parseGoDuration } from './duration';
import { parseKubeProxyArgs } from './flags';
import { KUBE_PROXY_DEFAULTS } from './settings';
import { changes, kubeProxyWrites } from './writes';

describe('Go durations', () => {
  it.each([
    ['24h0m0s', 86_400],
    ['1h', 3_600],
    ['90s', 90],
    ['1.5h', 5_400],
    ['1m30s', 90],
    ['1500ms', 1],
    ['0', 0],
    ['0s', 0],
  ])('%s is %i s', (text, seconds) => expect(parseGoDuration(text)).toBe(seconds));

  it.each(['', '10', '-1h', '1d', '1h 2m', 'h', '1h2x'])('refuses %j', (text) => expect(parseGoDuration(text)).toBeNull());

  it('prints as Go does', () => {
    expect([86_400, 3_600, 90, 30, 0].map(formatGoDuration)).toEqual(['24h0m0s', '1h0m0s', '1m30s', '30s', '0s']);
  });
});

describe('kube-proxy flags', () => {
  it('no conntrack flags: its defaults (32768 per core, at least 131072, 24 h established, 1 h close_wait)', () => {
    const parsed = parseKubeProxyArgs(['/usr/local/bin/kube-proxy', '--v=2', '--kubeconfig=/var/lib/kube-proxy/kubeconfig']);
    expect(parsed.values).toEqual(KUBE_PROXY_DEFAULTS);
    expect(parsed.config).toBeNull();
    expect(Object.values(parsed.origins).every((o) => o.kind === 'default')).toBe(true);
  });

  it('reads --name=value and --name value, booleans without a value, the last one given wins', () => {
    const parsed = parseKubeProxyArgs([
      'kube-proxy',
      '--conntrack-max-per-core=1000',
      '--conntrack-min',
      '5000',
      '--conntrack-tcp-timeout-established=2h0m0s',
      '--conntrack-tcp-timeout-close-wait',
      '30s',
      '--conntrack-tcp-be-liberal',
      '--conntrack-udp-timeout=45s',
      '--conntrack-udp-timeout-stream=3m',
      '--conntrack-max-per-core=2000',
    ]);
    expect(parsed.values).toEqual({ maxPerCore: 2000, min: 5000, tcpEstablishedTimeout: 7200, tcpCloseWaitTimeout: 30, tcpBeLiberal: true, udpTimeout: 45, udpStreamTimeout: 180 });
    expect(parsed.origins.maxPerCore).toEqual({ kind: 'flag', text: '--conntrack-max-per-core=2000' });
    expect(parsed.origins.min).toEqual({ kind: 'flag', text: '--conntrack-min 5000' });
    expect(parseKubeProxyArgs(['kube-proxy', '--conntrack-tcp-be-liberal=false']).values.tcpBeLiberal).toBe(false);
  });

  it('names values kube-proxy would refuse and keeps the default for them; finds --config', () => {
    const parsed = parseKubeProxyArgs(['kube-proxy', '--conntrack-max-per-core=lots', '--conntrack-min=-5', '--config', '/etc/kube-proxy/config.yaml']);
    expect(parsed.values.maxPerCore).toBe(32_768);
    expect(parsed.problems).toEqual(['--conntrack-max-per-core=lots: not a valid number', '--conntrack-min=-5: not a valid number']);
    expect(parsed.config).toBe('/etc/kube-proxy/config.yaml');
  });
});

describe('KubeProxyConfiguration files', () => {
  const YAML = `apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection:
  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf
conntrack:
  # per core
  maxPerCore: 65536   # doubled
  min: null
  tcpEstablishedTimeout: "2h0m0s"
  tcpCloseWaitTimeout: 0s
  udpTimeout: '30s'
  nested:
    maxPerCore: 1
mode: iptables
`;

  it('reads the conntrack section with line numbers; null means the default; other sections are ignored', () => {
    const parsed = parseKubeProxyConfig(YAML, '/etc/kube-proxy/config.yaml');
    expect(parsed.values).toEqual({ ...KUBE_PROXY_DEFAULTS, maxPerCore: 65_536, tcpEstablishedTimeout: 7_200, tcpCloseWaitTimeout: 0, udpTimeout: 30 });
    expect(parsed.origins.maxPerCore).toEqual({ kind: 'config', file: '/etc/kube-proxy/config.yaml', line: 7, text: 'maxPerCore: 65536' });
    expect(parsed.origins.min).toEqual({ kind: 'default' });
    expect(parsed.problems).toEqual([]);
  });

  it('reads flow style, JSON, and names bad values', () => {
    expect(parseKubeProxyConfig('kind: KubeProxyConfiguration\nconntrack: {maxPerCore: 0, min: 0}\n', 'c.yaml').values).toMatchObject({ maxPerCore: 0, min: 0 });
    const json = parseKubeProxyConfig(JSON.stringify({ kind: 'KubeProxyConfiguration', conntrack: { maxPerCore: 100, tcpEstablishedTimeout: '1h', tcpBeLiberal: true } }), 'c.json');
    expect(json.values).toMatchObject({ maxPerCore: 100, tcpEstablishedTimeout: 3_600, tcpBeLiberal: true });
    expect(json.origins.maxPerCore).toEqual({ kind: 'config', file: 'c.json', line: null, text: 'maxPerCore: 100' });
    expect(parseKubeProxyConfig('conntrack:\n  maxPerCore: many\n', 'c.yaml').problems).toEqual(['c.yaml:2: maxPerCore: many is not a valid number']);
    expect(parseKubeProxyConfig('{ broken', 'c.json').problems).toEqual(['c.json: not valid JSON']);
  });
});

describe('what kube-proxy writes at start', () => {
  const writes = (argv: string[], cpus: number) => kubeProxyWrites({ ...parseKubeProxyArgs(['kube-proxy', ...argv]), configFile: null }, cpus).map((w) => [w.name.replace('net.netfilter.nf_conntrack_', ''), w.value]);

  it('max = max(maxPerCore × CPUs, min), the hash size raised to max/4, the TCP timeouts', () => {
    expect(writes([], 2)).toEqual([
      ['max', 131_072],
      ['buckets', 32_768],
      ['tcp_timeout_established', 86_400],
      ['tcp_timeout_close_wait', 3_600],
    ]);
    expect(writes(['--conntrack-max-per-core=65536'], 8)).toEqual([
      ['max', 524_288],
      ['buckets', 131_072],
      ['tcp_timeout_established', 86_400],
      ['tcp_timeout_close_wait', 3_600],
    ]);
  });

  it('0 leaves a value alone: max (and the hash size) with maxPerCore 0, a timeout with 0; be_liberal and UDP only when set', () => {
    expect(writes(['--conntrack-max-per-core=0', '--conntrack-min=999999', '--conntrack-tcp-timeout-established=0', '--conntrack-tcp-timeout-close-wait=0s'], 4)).toEqual([]);
    expect(writes(['--conntrack-max-per-core=0', '--conntrack-tcp-timeout-established=0', '--conntrack-tcp-timeout-close-wait=0', '--conntrack-tcp-be-liberal', '--conntrack-udp-timeout=10s', '--conntrack-udp-timeout-stream=1m'], 4)).toEqual([
      ['tcp_be_liberal', 1],
      ['udp_timeout', 10],
      ['udp_timeout_stream', 60],
    ]);
  });

  it('the hash size is only raised', () => {
    const [, buckets] = kubeProxyWrites({ ...parseKubeProxyArgs(['kube-proxy']), configFile: null }, 2);
    expect(buckets && changes(buckets, 262_144)).toBe(false);
    expect(buckets && changes(buckets, 16_384)).toBe(true);
  });
});
