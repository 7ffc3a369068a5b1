import type { DiagnosisFix } from '@ctscope/protocol';
import { validateRuleSpec } from '@ctscope/rules';
import type { ResolverCount } from './dns-tally';

export const RESOLVER_OPTIONS_ADVICE: DiagnosisFix = {
  kind: 'advice',
  label: 'Resolver options: single-request-reopen, single-request or use-vc',
  text:
    'glibc sends the A and AAAA queries of one lookup from one socket at the same moment: exactly the two packets that race. ' +
    'In /etc/resolv.conf add one of: "options single-request-reopen" (when an answer goes missing, the second query is sent again from a new socket, so a new source port and a new entry), ' +
    '"options single-request" (the two queries one after the other, never at once), or "options use-vc" (DNS over TCP: no UDP race at all). ' +
    'In Kubernetes set it per pod: spec.dnsConfig.options: [{ name: single-request-reopen }]. musl (Alpine images) ignores these options.',
  tradeoff:
    'single-request adds one round trip to every lookup; use-vc makes every lookup a TCP connection (a handshake and a TIME_WAIT entry each); single-request-reopen still loses the first answer once, but does not keep retrying on the socket that lost.',
};

function nodeLocalAdvice(resolver: ResolverCount): DiagnosisFix {
  const how = resolver.dnatTo.length ? `is reached through DNAT (to ${resolver.dnatTo.join(', ')})` : 'does not listen on this host';
  return {
    kind: 'advice',
    label: 'Run a node-local DNS cache, then stop tracking its traffic',
    text:
      `The busiest resolver, ${resolver.address}, ${how}: a NOTRACK rule for it would skip the NAT or routing its traffic needs. ` +
      'NodeLocal DNSCache runs a cache on every node (on 169.254.20.10, and on the kube-dns ClusterIP through a dummy interface) and adds NOTRACK rules for port 53 to it, so queries from pods create no conntrack entries and cannot race. ' +
      'Once a resolver listens on this host, this diagnosis offers the NOTRACK rule for its address.',
  };
}

/**
 * The NOTRACK rule for UDP/53 to a resolver on this host (both roles: queries arriving from pods and
 * sent by the host itself, and their answers), checked by the rules package before it is offered.
 */
export function notrackFix(resolver: ResolverCount): DiagnosisFix | null {
  const family = resolver.address.includes(':') ? 'ipv6' : 'ipv4';
  const spec = { kind: 'notrack', protocol: 'udp', ports: '53', role: 'both', direction: 'both', family, destination: resolver.address };
  if (!validateRuleSpec(spec).ok) return null;
  return {
    kind: 'rule',
    label: `Stop tracking DNS to the node-local resolver ${resolver.address} (NOTRACK udp/53)`,
    tradeoff:
      'Queries to this address and their answers create no conntrack entries any more, so they cannot race or fill the table. Untracked packets get no NAT: right only for a resolver listening on this host at this address. ' +
      'Stateful filter chains must accept untracked packets (the preview offers the companion rules), and entries that already exist stay until they time out.',
    spec,
  };
}

/** The fixes for the race, most direct first: NOTRACK when the busiest resolver is on this host, resolver options always. */
export function raceFixes(resolver: ResolverCount | undefined, isLocal: (address: string) => boolean): DiagnosisFix[] {
  const fixes: DiagnosisFix[] = [];
  if (resolver) {
    const notrack = isLocal(resolver.address) && resolver.dnatTo.length === 0 ? notrackFix(resolver) : null;
    fixes.push(notrack ?? nodeLocalAdvice(resolver));
  }
  fixes.push(RESOLVER_OPTIONS_ADVICE);
  return fixes;
}
