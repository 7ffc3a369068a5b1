import { originText, type KubeProxySettings } from './settings';

/** One value kube-proxy writes when it starts. */
export interface KubeProxyWrite {
  /** Full sysctl name. */
  name: string;
  value: number;
  /** Why, with the flag or config line it comes from. */
  because: string;
  /** The hash size is only ever raised: a larger current value is left alone. */
  raiseOnly: boolean;
}

const N = (key: string) => `net.netfilter.nf_conntrack_${key}`;

/**
 * What kube-proxy sets at start (cmd/kube-proxy/app: getConntrackMax, then SetMax, the TCP and UDP
 * timeouts and be_liberal): max = max(maxPerCore × CPUs, min) unless maxPerCore is 0, the hash size
 * raised to max/4 when lower, each timeout unless it is 0, be_liberal only when true.
 */
export function kubeProxyWrites(settings: KubeProxySettings, cpus: number): KubeProxyWrite[] {
  const { values: v, origins: o } = settings;
  const writes: KubeProxyWrite[] = [];
  if (v.maxPerCore > 0) {
    const scaled = v.maxPerCore * cpus;
    const max = scaled > v.min ? scaled : v.min;
    const because = `${originText(o.maxPerCore)}: ${v.maxPerCore} × ${cpus} CPUs = ${scaled}${scaled > v.min ? '' : `, below the floor ${v.min} (${originText(o.min)})`}`;
    writes.push({ name: N('max'), value: max, because, raiseOnly: false });
    writes.push({ name: N('buckets'), value: Math.floor(max / 4), because: `kube-proxy raises the hash size to max/4 (${max} / 4) when it is lower`, raiseOnly: true });
  }
  const timeout = (key: string, seconds: number, origin: KubeProxySettings['origins'][keyof KubeProxySettings['origins']]) => {
    if (seconds > 0) writes.push({ name: N(key), value: seconds, because: originText(origin), raiseOnly: false });
  };
  timeout('tcp_timeout_established', v.tcpEstablishedTimeout, o.tcpEstablishedTimeout);
  timeout('tcp_timeout_close_wait', v.tcpCloseWaitTimeout, o.tcpCloseWaitTimeout);
  if (v.tcpBeLiberal) writes.push({ name: N('tcp_be_liberal'), value: 1, because: originText(o.tcpBeLiberal), raiseOnly: false });
  timeout('udp_timeout', v.udpTimeout, o.udpTimeout);
  timeout('udp_timeout_stream', v.udpStreamTimeout, o.udpStreamTimeout);
  return writes;
}

/** Would kube-proxy change `current` when it writes? */
export function changes(write: KubeProxyWrite, current: number): boolean {
  return write.raiseOnly ? current < write.value : current !== write.value;
}
