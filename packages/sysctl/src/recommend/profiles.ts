import type { Catalog } from '../catalog/discover';
import type { HostFacts } from '../catalog/types';
import { kubeProxyMax, recommendMax } from './max';

export type ProfileId = 'web-server' | 'nat-gateway' | 'kubernetes-node';

interface ProfileValue {
  key: string;
  value: number;
  reason: string;
}

export interface Profile {
  id: ProfileId;
  title: string;
  description: string;
  values(facts: HostFacts): ProfileValue[];
}

export const PROFILES: readonly Profile[] = [
  {
    id: 'web-server',
    title: 'Web / API server',
    description: 'Many short client connections; idle connections are not worth keeping for days.',
    values: (f) => [
      { key: 'max', value: recommendMax(f).ours.max, reason: 'room for bursts of short connections (memory only used when filled)' },
      { key: 'buckets', value: recommendMax(f).ours.buckets, reason: 'keeps the average chain at 2' },
      { key: 'tcp_timeout_established', value: 3600, reason: 'forget vanished clients after 1 hour instead of 5 days' },
      { key: 'tcp_timeout_close_wait', value: 60, reason: 'kernel default: half-closed connections do not pile up' },
      { key: 'tcp_timeout_time_wait', value: 120, reason: 'kernel default, matches TCP\'s own TIME_WAIT' },
    ],
  },
  {
    id: 'nat-gateway',
    title: 'NAT gateway / router',
    description: 'Tracks every forwarded flow of a whole network; long-lived idle sessions (SSH) must survive NAT.',
    values: (f) => [
      { key: 'max', value: recommendMax(f, 0.1).ours.max, reason: 'a gateway tracks many hosts: up to 10 % of RAM' },
      { key: 'buckets', value: recommendMax(f, 0.1).ours.buckets, reason: 'keeps the average chain at 2' },
      { key: 'tcp_timeout_established', value: 86400, reason: '1 day: idle sessions without keepalive survive, dead ones go within a day' },
      { key: 'udp_timeout', value: 30, reason: 'kernel default: DNS exchanges leave quickly' },
      { key: 'udp_timeout_stream', value: 180, reason: 'VPN and VoIP streams survive short silences' },
      { key: 'tcp_loose', value: 1, reason: 'connections survive a gateway failover' },
      { key: 'acct', value: 1, reason: 'per-flow bytes show who uses the uplink' },
    ],
  },
  {
    id: 'kubernetes-node',
    title: 'Kubernetes node (kube-proxy values)',
    description: 'What kube-proxy sets on its own; shown so the form matches what the node will converge to.',
    values: (f) => [
      { key: 'max', value: kubeProxyMax(f.cpus), reason: 'kube-proxy: max(32768 × CPUs, 131072)' },
      { key: 'buckets', value: Math.floor(kubeProxyMax(f.cpus) / 4), reason: 'kube-proxy raises hashsize to max / 4' },
      { key: 'tcp_timeout_established', value: 86400, reason: 'kube-proxy --conntrack-tcp-timeout-established (24 h)' },
      { key: 'tcp_timeout_close_wait', value: 3600, reason: 'kube-proxy --conntrack-tcp-timeout-close-wait (1 h); see kubernetes#97377 before keeping it' },
    ],
  },
];

export interface ProfileProposal {
  name: string;
  value: number;
  reason: string;
  /** Value now, null when the host does not have the parameter. */
  current: number | null;
  changed: boolean;
  writable: boolean;
  readOnlyReason?: string;
}

/** The values a profile proposes for this host, beside the current ones. Applies nothing. */
export function proposeProfile(id: ProfileId, catalog: Catalog): ProfileProposal[] {
  const profile = PROFILES.find((p) => p.id === id);
  if (!profile) throw new Error(`unknown profile ${JSON.stringify(id)}: use one of ${PROFILES.map((p) => p.id).join(', ')}`);
  return profile.values(catalog.facts).map((v) => {
    const name = `net.netfilter.nf_conntrack_${v.key}`;
    const entry = catalog.entries.find((e) => e.name === name);
    const proposal: ProfileProposal = { name, value: v.value, reason: v.reason, current: entry?.value ?? null, changed: entry?.value !== v.value, writable: entry?.writable ?? false };
    const reason = entry ? entry.readOnlyReason : 'not present on this host';
    if (reason !== undefined) proposal.readOnlyReason = reason;
    return proposal;
  });
}
