import { describe, expect, it } from 'vitest';
import { assertRuleSpec } from '../spec/validate';
import type { NotrackSpec } from '../spec/schemas';
import { notrackImpact, type ImpactFlow } from './notrack';

function spec(extra: Record<string, unknown>): NotrackSpec {
  const s = assertRuleSpec({ kind: 'notrack', protocol: 'udp', ports: '53', ...extra });
  if (s.kind !== 'notrack') throw new Error('not a notrack spec');
  return s;
}

function udp(src: string, dst: string, sport: number, dport: number, extra: Partial<ImpactFlow> = {}): ImpactFlow {
  const family = src.includes(':') ? 'ipv6' : 'ipv4';
  return { family, protoNum: 17, orig: { src, dst, sport, dport }, reply: { src: dst, dst: src, sport: dport, dport: sport }, status: ['CONFIRMED'], ...extra };
}

const FLOWS: ImpactFlow[] = [
  udp('192.0.2.1', '198.51.100.1', 40000, 53),
  udp('192.0.2.2', '198.51.100.1', 40001, 53),
  udp('10.0.0.5', '198.51.100.1', 40002, 53),
  udp('2001:db8::1', '2001:db8::53', 40003, 53),
  udp('192.0.2.1', '198.51.100.1', 53, 40000), // a reverse entry: orig dport is not the service port
  udp('192.0.2.1', '198.51.100.1', 40004, 123),
  { ...udp('192.0.2.1', '198.51.100.1', 40005, 53), protoNum: 6 },
];

describe('notrackImpact', () => {
  it('counts the entries the spec would cover, per family, by the original tuple', () => {
    const impact = notrackImpact(spec({}), { flows: FLOWS });
    expect(impact.matchedCount).toBe(4);
    expect(impact.matchedByFamily).toEqual({ ipv4: 3, ipv6: 1 });
    expect(impact.matched.map((f) => f.orig.sport)).toEqual([40000, 40001, 40002, 40003]);
    expect(impact.stopsTracking).toBe(true);
    expect(impact.warnings.map((w) => w.code)).toEqual(['existing-entries']);
  });

  it('applies source/destination CIDRs to the original direction', () => {
    expect(notrackImpact(spec({ family: 'ipv4', source: '192.0.2.0/24' }), { flows: FLOWS }).matchedCount).toBe(2);
    expect(notrackImpact(spec({ family: 'ipv4', destination: '198.51.100.2' }), { flows: FLOWS }).matchedCount).toBe(0);
    expect(notrackImpact(spec({ family: 'ipv6', source: '2001:db8::/64' }), { flows: FLOWS }).matchedCount).toBe(1);
  });

  it('warns that IPv6 stays tracked for a v4-only spec, with the count of v6 entries', () => {
    const impact = notrackImpact(spec({ family: 'ipv4' }), { flows: FLOWS });
    expect(impact.matchedCount).toBe(3);
    expect(impact.otherFamilyCount).toBe(1);
    expect(impact.warnings.find((w) => w.code === 'ipv6-not-covered')?.message).toContain('1 IPv6 entry');
  });

  it('flags NAT on matching traffic (status bits or nat field) as danger', () => {
    const flows = [udp('192.0.2.1', '203.0.113.1', 1000, 53, { status: ['CONFIRMED', 'DST_NAT', 'DST_NAT_DONE'] }), udp('192.0.2.2', '203.0.113.1', 1001, 53, { nat: { src: { from: '192.0.2.2', to: '203.0.113.9' } } }), udp('192.0.2.3', '203.0.113.1', 1002, 53)];
    const w = notrackImpact(spec({}), { flows }).warnings.find((x) => x.code === 'nat-in-use');
    expect(w?.severity).toBe('danger');
    expect(w?.message).toContain('2 matching entries use NAT');
    expect(notrackImpact(spec({}), { flows: flows.slice(2) }).warnings.some((x) => x.code === 'nat-in-use')).toBe(false);
  });

  it('warns about half pairs', () => {
    const impact = notrackImpact(spec({ direction: 'inbound' }), { flows: [] });
    expect(impact.stopsTracking).toBe(false);
    expect(impact.warnings.map((w) => w.code)).toEqual(['half-pair']);
  });

  it('finds stateful chains without an untracked accept in nft and iptables text', () => {
    const nft = `table inet filter {
\tchain input {
\t\ttype filter hook input priority filter; policy drop;
\t\tct state established,related accept
\t\ttcp dport 22 accept
\t}
\tchain output {
\t\ttype filter hook output priority filter; policy accept;
\t\tct state { established, related, untracked } accept
\t}
}
table inet ctscope {
\tchain filter_input {
\t\ttype filter hook input priority filter; policy accept;
\t\tct state untracked counter packets 0 bytes 0 accept comment "ctscope:0123456789ab"
\t}
}`;
    const ipt = `*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:CTSCOPE-FILTER-OUT - [0:0]
-A INPUT -m conntrack --ctstate INVALID -j DROP
-A FORWARD -m state --state RELATED,ESTABLISHED -j ACCEPT
-A OUTPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A OUTPUT -j CTSCOPE-FILTER-OUT
-A CTSCOPE-FILTER-OUT -m conntrack --ctstate UNTRACKED -m comment --comment "ctscope:0123456789ab" -j ACCEPT
COMMIT`;
    const impact = notrackImpact(spec({}), { flows: [], rulesets: [nft, ipt] });
    const stateful = impact.warnings.filter((w) => w.code === 'stateful-without-untracked-accept');
    expect(stateful.map((w) => [w.severity, w.message.split(' matches')[0]])).toEqual([
      ['danger', 'nft chain inet filter input'],
      ['danger', 'iptables chain filter INPUT'],
      ['danger', 'iptables chain filter FORWARD'],
    ]);
    expect(stateful[0]?.message).toContain('nft insert rule inet filter input ct state untracked accept');
    expect(stateful[1]?.message).toContain('-m conntrack --ctstate UNTRACKED -j ACCEPT');
    expect(impact.statefulChains.find((c) => c.chain === 'output' && c.syntax === 'nft')?.hasUntrackedAccept).toBe(true);
    expect(impact.statefulChains.find((c) => c.chain === 'OUTPUT')?.hasUntrackedAccept).toBe(true);
    // Outbound-only traffic never reaches input/forward.
    expect(notrackImpact(spec({ direction: 'outbound' }), { flows: [], rulesets: [nft, ipt] }).warnings.filter((w) => w.code === 'stateful-without-untracked-accept')).toEqual([]);
  });

  it('reports a local listener on the port, or none', () => {
    const listeners = [
      { protocol: 'udp', family: 'ipv4', address: '127.0.0.53', port: 53 },
      { protocol: 'tcp', family: 'ipv4', address: '0.0.0.0', port: 53 },
    ] as const;
    const w = notrackImpact(spec({}), { flows: [], listeners }).warnings.find((x) => x.code === 'local-listener');
    expect(w?.message).toContain('127.0.0.53:53');
    expect(w?.message).not.toContain('0.0.0.0');
    expect(notrackImpact(spec({ ports: '54' }), { flows: [], listeners }).warnings.map((x) => x.code)).toEqual(['no-local-listener']);
  });

  it('notes that interfaces are not visible in conntrack entries', () => {
    expect(notrackImpact(spec({ interface: 'eth0' }), { flows: [] }).warnings.map((w) => w.code)).toEqual(['interface-not-checked']);
  });
});
