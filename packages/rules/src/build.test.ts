import { describe, expect, it } from 'vitest';
import { buildRule } from './build';
import { assertRuleSpec } from './spec/validate';

const notrack = (extra: Record<string, unknown>) => assertRuleSpec({ kind: 'notrack', protocol: 'udp', ports: '53', ...extra });
const nftRules = (b: ReturnType<typeof buildRule>) => b.nft.rules.map((r) => `${r.chain}: ${r.text.replace(` comment "${b.comment}"`, '')}`);
const iptRules = (b: ReturnType<typeof buildRule>) => b.iptables.rules.map((r) => `${r.family} ${r.chain} ${r.args.join(' ').replace(` -m comment --comment ${b.comment}`, '')}`);

describe('NOTRACK builders: directions and roles (the pair must be complete)', () => {
  it('server, both directions: PREROUTING dport + OUTPUT sport, in both syntaxes', () => {
    const b = buildRule(notrack({ family: 'ipv4' }));
    expect(nftRules(b)).toEqual(['raw_prerouting: meta nfproto ipv4 udp dport 53 counter notrack', 'raw_output: meta nfproto ipv4 udp sport 53 counter notrack']);
    expect(iptRules(b)).toEqual(['ipv4 CTSCOPE-RAW-PRE -p udp -m udp --dport 53 -j CT --notrack', 'ipv4 CTSCOPE-RAW-OUT -p udp -m udp --sport 53 -j CT --notrack']);
  });

  it('server, inbound only: just PREROUTING dport, with a half-pair note', () => {
    const b = buildRule(notrack({ family: 'ipv4', direction: 'inbound' }));
    expect(nftRules(b)).toEqual(['raw_prerouting: meta nfproto ipv4 udp dport 53 counter notrack']);
    expect(iptRules(b)).toEqual(['ipv4 CTSCOPE-RAW-PRE -p udp -m udp --dport 53 -j CT --notrack']);
    expect(b.notes.join(' ')).toContain('Only the inbound half');
  });

  it('server, outbound only: OUTPUT sport (replies of the local service)', () => {
    const b = buildRule(notrack({ family: 'ipv4', direction: 'outbound' }));
    expect(nftRules(b)).toEqual(['raw_output: meta nfproto ipv4 udp sport 53 counter notrack']);
  });

  it('client: OUTPUT dport for requests, PREROUTING sport for their replies', () => {
    const b = buildRule(notrack({ family: 'ipv4', role: 'client' }));
    expect(nftRules(b)).toEqual(['raw_output: meta nfproto ipv4 udp dport 53 counter notrack', 'raw_prerouting: meta nfproto ipv4 udp sport 53 counter notrack']);
    expect(iptRules(b)).toEqual(['ipv4 CTSCOPE-RAW-OUT -p udp -m udp --dport 53 -j CT --notrack', 'ipv4 CTSCOPE-RAW-PRE -p udp -m udp --sport 53 -j CT --notrack']);
  });

  it('client, outbound only: OUTPUT dport only', () => {
    expect(nftRules(buildRule(notrack({ family: 'ipv4', role: 'client', direction: 'outbound' })))).toEqual(['raw_output: meta nfproto ipv4 udp dport 53 counter notrack']);
  });

  it('role both: all four halves', () => {
    expect(nftRules(buildRule(notrack({ family: 'ipv6', role: 'both' })))).toEqual([
      'raw_prerouting: meta nfproto ipv6 udp dport 53 counter notrack',
      'raw_output: meta nfproto ipv6 udp sport 53 counter notrack',
      'raw_output: meta nfproto ipv6 udp dport 53 counter notrack',
      'raw_prerouting: meta nfproto ipv6 udp sport 53 counter notrack',
    ]);
  });

  it('family both: one inet rule per half in nft, iptables + ip6tables rules', () => {
    const b = buildRule(notrack({}));
    expect(nftRules(b)).toEqual(['raw_prerouting: udp dport 53 counter notrack', 'raw_output: udp sport 53 counter notrack']);
    expect(iptRules(b)).toEqual([
      'ipv4 CTSCOPE-RAW-PRE -p udp -m udp --dport 53 -j CT --notrack',
      'ipv6 CTSCOPE-RAW-PRE -p udp -m udp --dport 53 -j CT --notrack',
      'ipv4 CTSCOPE-RAW-OUT -p udp -m udp --sport 53 -j CT --notrack',
      'ipv6 CTSCOPE-RAW-OUT -p udp -m udp --sport 53 -j CT --notrack',
    ]);
    expect(Object.keys(b.iptables.restore)).toEqual(['ipv4', 'ipv6']);
  });

  it('addresses swap on the reply half, interface is iif inbound / oif outbound, lists use sets / multiport', () => {
    const b = buildRule(notrack({ protocol: 'tcp', ports: ['443', 80, '8000-8080'], family: 'ipv4', source: '192.0.2.0/24', destination: '198.51.100.7', interface: 'eth0' }));
    expect(nftRules(b)).toEqual([
      'raw_prerouting: iifname "eth0" ip saddr 192.0.2.0/24 ip daddr 198.51.100.7/32 tcp dport { 80, 443, 8000-8080 } counter notrack',
      'raw_output: oifname "eth0" ip saddr 198.51.100.7/32 ip daddr 192.0.2.0/24 tcp sport { 80, 443, 8000-8080 } counter notrack',
    ]);
    expect(iptRules(b)).toEqual([
      'ipv4 CTSCOPE-RAW-PRE -p tcp -i eth0 -s 192.0.2.0/24 -d 198.51.100.7/32 -m multiport --dports 80,443,8000:8080 -j CT --notrack',
      'ipv4 CTSCOPE-RAW-OUT -p tcp -o eth0 -s 198.51.100.7/32 -d 192.0.2.0/24 -m multiport --sports 80,443,8000:8080 -j CT --notrack',
    ]);
  });

  it('IPv6 CIDR goes to ip6 / ip6tables only', () => {
    const b = buildRule(notrack({ family: 'ipv6', source: '2001:db8::/32' }));
    expect(nftRules(b)[0]).toBe('raw_prerouting: ip6 saddr 2001:db8::/32 udp dport 53 counter notrack');
    expect(b.iptables.rules.every((r) => r.family === 'ipv6')).toBe(true);
  });

  it('udplite uses multiport (no udplite match module); sctp and dccp use their own', () => {
    expect(iptRules(buildRule(notrack({ protocol: 'udplite', family: 'ipv4', direction: 'inbound' })))).toEqual(['ipv4 CTSCOPE-RAW-PRE -p udplite -m multiport --dports 53 -j CT --notrack']);
    expect(iptRules(buildRule(notrack({ protocol: 'sctp', family: 'ipv4', direction: 'inbound', ports: '2905-2910' })))).toEqual(['ipv4 CTSCOPE-RAW-PRE -p sctp -m sctp --dport 2905:2910 -j CT --notrack']);
    expect(nftRules(buildRule(notrack({ protocol: 'dccp', family: 'ipv4', direction: 'inbound' })))).toEqual(['raw_prerouting: meta nfproto ipv4 dccp dport 53 counter notrack']);
  });

  it('older kernels: -j NOTRACK instead of -j CT --notrack', () => {
    expect(iptRules(buildRule(notrack({ family: 'ipv4', direction: 'inbound' }), { notrackTarget: 'NOTRACK' }))).toEqual(['ipv4 CTSCOPE-RAW-PRE -p udp -m udp --dport 53 -j NOTRACK']);
  });

  it('renders the exact nft fragment and iptables-restore input (golden)', () => {
    const b = buildRule(notrack({ family: 'ipv4' }), { syntax: 'iptables' });
    expect(b.id).toMatch(/^[0-9a-f]{12}$/);
    expect(b.nft.fragment).toBe(
      [
        'add table inet ctscope',
        'add chain inet ctscope raw_prerouting { type filter hook prerouting priority raw; policy accept; }',
        'add chain inet ctscope raw_output { type filter hook output priority raw; policy accept; }',
        `add rule inet ctscope raw_prerouting meta nfproto ipv4 udp dport 53 counter notrack comment "ctscope:${b.id}"`,
        `add rule inet ctscope raw_output meta nfproto ipv4 udp sport 53 counter notrack comment "ctscope:${b.id}"`,
        '',
      ].join('\n'),
    );
    expect(b.iptables.restore.ipv4).toBe(
      [
        '*raw',
        ':CTSCOPE-RAW-PRE - [0:0]',
        ':CTSCOPE-RAW-OUT - [0:0]',
        `-A CTSCOPE-RAW-PRE -p udp -m udp --dport 53 -m comment --comment ctscope:${b.id} -j CT --notrack`,
        `-A CTSCOPE-RAW-OUT -p udp -m udp --sport 53 -m comment --comment ctscope:${b.id} -j CT --notrack`,
        '-I PREROUTING 1 -j CTSCOPE-RAW-PRE',
        '-I OUTPUT 1 -j CTSCOPE-RAW-OUT',
        'COMMIT',
        '',
      ].join('\n'),
    );
    expect(b.iptables.restore.ipv6).toBeUndefined();
    expect(b.iptables.commands).toContain(`iptables -t raw -A CTSCOPE-RAW-PRE -p udp -m udp --dport 53 -m comment --comment ctscope:${b.id} -j CT --notrack`);
    expect(b.nft.commands[3]).toBe(`nft 'add rule inet ctscope raw_prerouting meta nfproto ipv4 udp dport 53 counter notrack comment "ctscope:${b.id}"'`);
    expect(b.syntax).toBe('iptables');
  });

  it('offers the untracked-accept companion for the chains the untracked packets reach', () => {
    const both = buildRule(notrack({}));
    expect(both.companions.map((c) => c.summary)).toEqual(['accept untracked packets in input (IPv4+IPv6)', 'accept untracked packets in output (IPv4+IPv6)']);
    const [input] = both.companions;
    expect(input?.nft.rules.map((r) => `${r.chain}: ${r.text}`)).toEqual([`filter_input: ct state untracked counter accept comment "${input?.comment}"`]);
    expect(input?.iptables.rules.map((r) => `${r.family} ${r.chain} ${r.args.join(' ')}`)).toEqual([
      `ipv4 CTSCOPE-FILTER-IN -m conntrack --ctstate UNTRACKED -m comment --comment ${input?.comment} -j ACCEPT`,
      `ipv6 CTSCOPE-FILTER-IN -m conntrack --ctstate UNTRACKED -m comment --comment ${input?.comment} -j ACCEPT`,
    ]);
    expect(input?.notes.join(' ')).toContain('does not stop a drop in another table');
    expect(buildRule(notrack({ direction: 'inbound' })).companions.map((c) => c.spec.kind === 'untracked-accept' && c.spec.chain)).toEqual(['input']);
  });

  it('same spec (however written) → same id; different spec → different id', () => {
    const a = buildRule(notrack({ ports: '53,80', family: 'ipv4' }));
    const b = buildRule(assertRuleSpec({ family: 'ipv4', ports: [80, '53'], protocol: 'udp', kind: 'notrack', direction: 'both', role: 'server' }));
    expect(a.id).toBe(b.id);
    expect(buildRule(notrack({ ports: '53,81', family: 'ipv4' })).id).not.toBe(a.id);
  });
});

describe('state-match and connlimit builders', () => {
  it('drop INVALID / accept ESTABLISHED,RELATED', () => {
    const d = buildRule(assertRuleSpec({ kind: 'state', template: 'drop-invalid', chain: 'forward', family: 'ipv4' }));
    expect(nftRules(d)).toEqual(['filter_forward: meta nfproto ipv4 ct state invalid counter drop']);
    expect(iptRules(d)).toEqual(['ipv4 CTSCOPE-FILTER-FWD -m conntrack --ctstate INVALID -j DROP']);
    const e = buildRule(assertRuleSpec({ kind: 'state', template: 'accept-established', chain: 'input', family: 'both' }));
    expect(nftRules(e)).toEqual(['filter_input: ct state established,related counter accept']);
    expect(iptRules(e)).toEqual(['ipv4 CTSCOPE-FILTER-IN -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT', 'ipv6 CTSCOPE-FILTER-IN -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT']);
  });

  it('LOG NEW with prefix and rate limit (defaults when omitted)', () => {
    const l = buildRule(assertRuleSpec({ kind: 'state', template: 'log-new', chain: 'input', family: 'ipv4', logPrefix: 'new conn: ', rate: { count: 3, per: 'second', burst: 9 } }));
    expect(nftRules(l)).toEqual(['filter_input: meta nfproto ipv4 ct state new limit rate 3/second burst 9 packets counter log prefix "new conn: "']);
    expect(l.iptables.rules[0]?.args).toEqual(['-m', 'conntrack', '--ctstate', 'NEW', '-m', 'limit', '--limit', '3/second', '--limit-burst', '9', '-m', 'comment', '--comment', l.comment, '-j', 'LOG', '--log-prefix', 'new conn: ']);
    expect(l.iptables.restore.ipv4).toContain('-j LOG --log-prefix "new conn: "');
    const d = buildRule(assertRuleSpec({ kind: 'state', template: 'log-new', chain: 'output', family: 'ipv6' }));
    expect(nftRules(d)).toEqual(['filter_output: meta nfproto ipv6 ct state new limit rate 10/minute burst 5 packets counter log prefix "ctscope-new: "']);
  });

  it('per-source connection limit: nft ct count with a dynamic set per family, iptables connlimit', () => {
    const c = buildRule(assertRuleSpec({ kind: 'connlimit', protocol: 'tcp', ports: [22], above: 10, mask: 24, mask6: 64, family: 'both' }));
    expect(c.nft.sets).toEqual([
      { name: `cl_${c.id}_v4`, definition: 'type ipv4_addr; size 65535; flags dynamic;' },
      { name: `cl_${c.id}_v6`, definition: 'type ipv6_addr; size 65535; flags dynamic;' },
    ]);
    expect(nftRules(c)).toEqual([
      `filter_input: tcp dport 22 ct state new add @cl_${c.id}_v4 { ip saddr & 255.255.255.0 ct count over 10 } counter reject with tcp reset`,
      `filter_input: tcp dport 22 ct state new add @cl_${c.id}_v6 { ip6 saddr & ffff:ffff:ffff:ffff:: ct count over 10 } counter reject with tcp reset`,
    ]);
    expect(iptRules(c)).toEqual([
      'ipv4 CTSCOPE-FILTER-IN -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -m connlimit --connlimit-above 10 --connlimit-mask 24 --connlimit-saddr -j REJECT --reject-with tcp-reset',
      'ipv6 CTSCOPE-FILTER-IN -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -m connlimit --connlimit-above 10 --connlimit-mask 64 --connlimit-saddr -j REJECT --reject-with tcp-reset',
    ]);
    expect(c.nft.fragment).toContain(`add set inet ctscope cl_${c.id}_v4 { type ipv4_addr; size 65535; flags dynamic; }`);
  });

  it('connlimit with drop, no ports, an interface, full /32', () => {
    const c = buildRule(assertRuleSpec({ kind: 'connlimit', protocol: 'udp', above: 500, action: 'drop', family: 'ipv4', interface: 'wan0', chain: 'forward' }));
    expect(nftRules(c)).toEqual([`filter_forward: iifname "wan0" meta l4proto udp ct state new add @cl_${c.id}_v4 { ip saddr ct count over 500 } counter drop`]);
    expect(iptRules(c)).toEqual(['ipv4 CTSCOPE-FILTER-FWD -p udp -i wan0 -m conntrack --ctstate NEW -m connlimit --connlimit-above 500 --connlimit-mask 32 --connlimit-saddr -j DROP']);
  });
});
