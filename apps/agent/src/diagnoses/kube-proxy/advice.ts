import type { DiagnosisFix } from '@ctscope/protocol';
import { formatGoDuration } from './duration';
import type { KubeProxyWrite } from './writes';

/** A setting kube-proxy will write over: what it writes, and the value this host wants instead. */
export interface Conflict {
  write: KubeProxyWrite;
  /** ctscope's persisted value, else the value in force now. */
  wanted: number;
}

interface Change {
  flag: string;
  field: string;
}

const KEY = (name: string) => name.replace('net.netfilter.nf_conntrack_', '');

/** The flag (and config field) that makes kube-proxy keep the wanted value. */
function changeFor(c: Conflict): Change {
  const d = formatGoDuration(c.wanted);
  switch (KEY(c.write.name)) {
    case 'max':
    case 'buckets':
      // 0 leaves nf_conntrack_max (and with it the hash size) alone.
      return { flag: '--conntrack-max-per-core=0', field: 'maxPerCore: 0' };
    case 'tcp_timeout_established':
      return { flag: `--conntrack-tcp-timeout-established=${d}`, field: `tcpEstablishedTimeout: ${d}` };
    case 'tcp_timeout_close_wait':
      return { flag: `--conntrack-tcp-timeout-close-wait=${d}`, field: `tcpCloseWaitTimeout: ${d}` };
    case 'tcp_be_liberal':
      return { flag: '--conntrack-tcp-be-liberal=false', field: 'tcpBeLiberal: false' };
    case 'udp_timeout':
      return { flag: `--conntrack-udp-timeout=${d}`, field: `udpTimeout: ${d}` };
    default:
      return { flag: `--conntrack-udp-timeout-stream=${d}`, field: `udpStreamTimeout: ${d}` };
  }
}

/** Exact text to change kube-proxy's flags or its config file so that it stops setting the values back. */
export function kubeProxyAdvice(pid: number, configFile: string | null, conflicts: readonly Conflict[]): DiagnosisFix {
  const changes = [...new Map(conflicts.map((c) => changeFor(c)).map((ch) => [ch.flag, ch])).values()];
  const text = configFile
    ? `kube-proxy (pid ${pid}) reads its settings from ${configFile} and ignores its conntrack flags. In that file set:\nconntrack:\n${changes.map((c) => `  ${c.field}`).join('\n')}\n` +
      'On kubeadm clusters the file comes from the kube-proxy ConfigMap: kubectl -n kube-system edit configmap kube-proxy, then restart the kube-proxy pods.'
    : `Start kube-proxy (pid ${pid}) with: ${changes.map((c) => c.flag).join(' ')}\n(in its systemd unit, or the DaemonSet's container args), then restart it.`;
  return {
    kind: 'advice',
    label: configFile ? `Change kube-proxy's config file ${configFile}` : "Change kube-proxy's flags",
    text: text.slice(0, 2_000),
    tradeoff: 'maxPerCore 0 leaves nf_conntrack_max and the hash size to this host: size the table yourself (kube-proxy no longer grows it with the CPU count). Timeouts set in kube-proxy apply on every node it runs on.',
  };
}

/** Align the running values with what kube-proxy will write, so its next start changes nothing. */
export function acceptKubeProxyFix(conflicts: readonly Conflict[], current: ReadonlyMap<string, number>): DiagnosisFix | null {
  const changes: Record<string, number> = {};
  for (const c of conflicts) if (current.get(c.write.name) !== c.write.value) changes[c.write.name] = c.write.value;
  if (Object.keys(changes).length === 0) return null;
  return {
    kind: 'sysctl',
    label: "Use kube-proxy's values now",
    tradeoff: "Nothing changes under you when kube-proxy restarts, but your own tuning is given up: ctscope's persisted lines (if any) still say otherwise until you change them on the tuning page.",
    changes,
  };
}
