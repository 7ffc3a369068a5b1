import { describe, expect, it } from 'vitest';
import { buildRule } from './build';
import { assertRuleSpec, validateRuleSpec } from './spec/validate';

const fieldsOf = (input: unknown): string[] => {
  const r = validateRuleSpec(input);
  return r.ok ? [] : r.errors.map((e) => e.field);
};
const nftRules = (b: ReturnType<typeof buildRule>) => b.nft.rules.map((r) => `${r.chain}: ${r.text.replace(` comment "${b.comment}"`, '')}`);
const iptRules = (b: ReturnType<typeof buildRule>) => b.iptables.rules.map((r) => `${r.family} ${r.chain} ${r.args.join(' ').replace(` -m comment --comment ${b.comment}`, '')}`);

describe('log-invalid rule spec', () => {
  it('defaults: input and forward, both families, prefix "ctscope-invalid: ", 10/second burst 5', () => {
    const spec = assertRuleSpec({ kind: 'log-invalid' });
    expect(spec).toEqual({ kind: 'log-invalid', chains: ['input', 'forward'], family: 'both', logPrefix: 'ctscope-invalid: ', rate: { count: 10, per: 'second', burst: 5 } });
  });

  it('the same chains in another order or repeated give the same rule id', () => {
    const a = buildRule(assertRuleSpec({ kind: 'log-invalid', chains: ['forward', 'input', 'forward'] }));
    const b = buildRule(assertRuleSpec({ kind: 'log-invalid' }));
    expect(a.id).toBe(b.id);
    expect(buildRule(assertRuleSpec({ kind: 'log-invalid', chains: ['input'] })).id).not.toBe(a.id);
  });

  it('refuses unknown chains, empty lists, bad prefixes and rates, and unknown fields', () => {
    expect(fieldsOf({ kind: 'log-invalid', chains: ['prerouting'] })).toEqual(['chains.0']);
    expect(fieldsOf({ kind: 'log-invalid', chains: [] })).toEqual(['chains']);
    expect(fieldsOf({ kind: 'log-invalid', chains: 'input,prerouting' })).toEqual(['chains.1']);
    expect(fieldsOf({ kind: 'log-invalid', chains: 7 })).toEqual(['chains']);
    expect(assertRuleSpec({ kind: 'log-invalid', chains: 'output, input' })).toMatchObject({ chains: ['input', 'output'] });
    expect(fieldsOf({ kind: 'log-invalid', logPrefix: 'a"; drop' })).toEqual(['logPrefix']);
    expect(fieldsOf({ kind: 'log-invalid', logPrefix: 'x'.repeat(30) })).toEqual(['logPrefix']);
    expect(fieldsOf({ kind: 'log-invalid', rate: { count: 0, per: 'second' } })).toEqual(['rate.count']);
    expect(fieldsOf({ kind: 'log-invalid', template: 'drop-invalid' })).toEqual(['template']);
  });

  it('nft: ct state invalid, counter before the limit (counts every INVALID packet), then log; only in our filter chains', () => {
    const b = buildRule(assertRuleSpec({ kind: 'log-invalid', family: 'ipv4', logPrefix: 'inv-42: ', rate: { count: 3, per: 'second', burst: 7 } }));
    expect(nftRules(b)).toEqual([
      'filter_input: meta nfproto ipv4 ct state invalid counter limit rate 3/second burst 7 packets log prefix "inv-42: "',
      'filter_forward: meta nfproto ipv4 ct state invalid counter limit rate 3/second burst 7 packets log prefix "inv-42: "',
    ]);
    expect(b.nft.fragment.split('\n').filter((l) => l.startsWith('add chain'))).toEqual([
      'add chain inet ctscope filter_input { type filter hook input priority filter; policy accept; }',
      'add chain inet ctscope filter_forward { type filter hook forward priority filter; policy accept; }',
    ]);
    expect(b.nft.fragment.split('\n').every((l) => l === '' || l.startsWith('add table inet ctscope') || / inet ctscope /.test(l))).toBe(true);
  });

  it('iptables: -m conntrack --ctstate INVALID with -m limit and -j LOG, per family and chain', () => {
    const b = buildRule(assertRuleSpec({ kind: 'log-invalid', chains: ['output'] }), { syntax: 'iptables' });
    expect(iptRules(b)).toEqual([
      'ipv4 CTSCOPE-FILTER-OUT -m conntrack --ctstate INVALID -m limit --limit 10/second --limit-burst 5 -j LOG --log-prefix ctscope-invalid: ',
      'ipv6 CTSCOPE-FILTER-OUT -m conntrack --ctstate INVALID -m limit --limit 10/second --limit-burst 5 -j LOG --log-prefix ctscope-invalid: ',
    ]);
    expect(b.iptables.restore.ipv4).toContain('-j LOG --log-prefix "ctscope-invalid: "');
    expect(b.iptables.commands).toContain(`iptables -t filter -A CTSCOPE-FILTER-OUT -m conntrack --ctstate INVALID -m limit --limit 10/second --limit-burst 5 -m comment --comment ${b.comment} -j LOG --log-prefix 'ctscope-invalid: '`);
  });

  it('preview text: summary, the commands, and the notes about logging only and namespaces', () => {
    const b = buildRule(assertRuleSpec({ kind: 'log-invalid', chains: ['forward'], family: 'ipv6' }));
    expect(b.summary).toBe('log INVALID packets (10/second, prefix "ctscope-invalid:") in forward (IPv6)');
    expect(b.nft.commands).toContain(`nft 'add rule inet ctscope filter_forward meta nfproto ipv6 ct state invalid counter limit rate 10/second burst 5 packets log prefix "ctscope-invalid: " comment "${b.comment}"'`);
    expect(b.companions).toEqual([]);
    expect(b.notes.join(' ')).toContain('Only logs');
    expect(b.notes.join(' ')).toContain('nf_log_all_netns');
  });
});
