import { describe, expect, it } from 'vitest';
import { assertRuleSpec, RuleValidationError, validateRuleSpec } from './validate';

const base = { kind: 'notrack', protocol: 'udp', ports: '53', family: 'ipv4' } as const;

function fieldsOf(input: unknown): string[] {
  const r = validateRuleSpec(input);
  return r.ok ? [] : r.errors.map((e) => e.field);
}

const INJECTIONS = ['80;reboot', '$(id)', '`id`', '80\nreboot', '80\r', '"80"', "'80'", '８０', '80 ', ' 80', '0x50', '8O', '-80', '80&&id', '80|id'];

describe('validateRuleSpec', () => {
  it('accepts and normalises a good spec (defaults, sorted merged ports, canonical CIDR)', () => {
    const spec = assertRuleSpec({ kind: 'notrack', protocol: 'tcp', ports: ['443', 80, '81', { from: 1000, to: 2000 }, '1500:2500'], source: '2001:DB8:0:0::/32', family: 'ipv6' });
    expect(spec).toMatchObject({ direction: 'both', role: 'server', family: 'ipv6', ports: [{ from: 80, to: 81 }, { from: 443, to: 443 }, { from: 1000, to: 2500 }] });
    expect(spec.kind === 'notrack' && spec.source?.text).toBe('2001:db8::/32');
  });

  it.each(INJECTIONS)('rejects port %j naming the field', (bad) => {
    expect(fieldsOf({ ...base, ports: bad })).toEqual(['ports.0']);
    expect(fieldsOf({ ...base, ports: [53, bad] })).toEqual(['ports.1']);
    expect(fieldsOf({ ...base, ports: [{ from: bad, to: 60 }] })).toEqual(['ports.0.from']);
  });

  it('rejects out-of-range, fractional and reversed ports', () => {
    expect(fieldsOf({ ...base, ports: 0 })).toEqual(['ports']);
    expect(fieldsOf({ ...base, ports: 65536 })).toEqual(['ports']);
    expect(fieldsOf({ ...base, ports: [80.5] })).toEqual(['ports.0']);
    expect(fieldsOf({ ...base, ports: '99999' })).toEqual(['ports.0']);
    expect(fieldsOf({ ...base, ports: '90-80' })).toEqual(['ports.0']);
    expect(fieldsOf({ ...base, ports: [{ from: 90, to: 80 }] })).toEqual(['ports.0.to']);
    expect(fieldsOf({ ...base, ports: [] })).toEqual(['ports']);
    expect(fieldsOf({ ...base, ports: Array.from({ length: 16 }, (_, i) => i * 2 + 1) })).toEqual(['ports']);
  });

  it.each([
    ['10.0.0.1/8', 'host bits set'],
    ['10.0.0.0/33', 'prefix length'],
    ['10.0.0.0/08', 'malformed prefix'],
    ['010.0.0.0/8', 'not an IPv4 or IPv6'],
    ['10.0.0/8', 'not an IPv4 or IPv6'],
    ['256.0.0.0/8', 'not an IPv4 or IPv6'],
    ['1О.0.0.0/8', 'not an IPv4 or IPv6'], // Cyrillic O
    ['１0.0.0.0/8', 'not an IPv4 or IPv6'], // fullwidth 1
    ['10.0.0.0/8;reboot', 'prefix'],
    ['$(id)', 'not an IPv4 or IPv6'],
    ['10.0.0.0/8\n', 'prefix'],
  ])('rejects CIDR %j', (bad, message) => {
    const r = validateRuleSpec({ ...base, source: bad });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors[0]?.field).toBe('source');
      expect(r.errors[0]?.message).toContain(message);
    }
  });

  it('rejects IPv6 CIDR mistakes and family mismatches', () => {
    expect(fieldsOf({ ...base, family: 'ipv6', destination: '2001:db8::1::2/128' })).toEqual(['destination']);
    expect(fieldsOf({ ...base, family: 'ipv6', destination: '2001:db8::1/64' })).toEqual(['destination']);
    expect(fieldsOf({ ...base, family: 'ipv6', destination: 'fe80::1%eth0' })).toEqual(['destination']);
    expect(fieldsOf({ ...base, family: 'ipv6', source: '10.0.0.0/8' })).toEqual(['source']);
    expect(fieldsOf({ ...base, family: 'both', source: '10.0.0.0/8' })).toEqual(['source']);
  });

  it.each(['eth0;reboot', 'eth0 ', '$(id)', 'a'.repeat(16), '-eth0', '.hidden', 'еth0', 'eth０', 'eth"0', 'eth/0', '', 'eth0\n'])('rejects interface %j', (bad) => {
    expect(fieldsOf({ ...base, interface: bad })).toEqual(['interface']);
  });

  it('accepts 15-character interface names with dots, dashes and underscores', () => {
    expect(validateRuleSpec({ ...base, interface: 'br-0123456789ab' }).ok).toBe(true);
    expect(validateRuleSpec({ ...base, interface: 'eth0.100' }).ok).toBe(true);
  });

  it.each(['a"b', "a'b", 'a`id`', 'a$(id)', 'a;b', 'a\\b', 'a\nb', 'x'.repeat(30), '', 'préfixe', 'ＬＯＧ'])('rejects log prefix %j', (bad) => {
    expect(fieldsOf({ kind: 'state', template: 'log-new', chain: 'input', logPrefix: bad })).toEqual(['logPrefix']);
  });

  it('rejects bad rates, counts, masks and enums naming each field', () => {
    expect(fieldsOf({ kind: 'state', template: 'log-new', chain: 'input', rate: { count: 0, per: 'minute' } })).toEqual(['rate.count']);
    expect(fieldsOf({ kind: 'state', template: 'log-new', chain: 'input', rate: { count: 5, per: 'fortnight' } })).toEqual(['rate.per']);
    expect(fieldsOf({ kind: 'state', template: 'drop-invalid', chain: 'input', logPrefix: 'x' })).toEqual(['logPrefix']);
    expect(fieldsOf({ kind: 'state', template: 'drop-invalid', chain: 'prerouting' })).toEqual(['chain']);
    expect(fieldsOf({ kind: 'connlimit', protocol: 'tcp', above: 0 })).toEqual(['above']);
    expect(fieldsOf({ kind: 'connlimit', protocol: 'tcp', above: '10' })).toEqual(['above']);
    expect(fieldsOf({ kind: 'connlimit', protocol: 'tcp', above: 10, mask: 33, mask6: 129 })).toEqual(['mask', 'mask6']);
    expect(fieldsOf({ ...base, protocol: 'icmp' })).toEqual(['protocol']);
    expect(fieldsOf({ ...base, protocol: 'tcp;reboot' })).toEqual(['protocol']);
    expect(fieldsOf({ ...base, direction: 'sideways' })).toEqual(['direction']);
    expect(fieldsOf({ ...base, family: 'ipv5' })).toEqual(['family']);
  });

  it('rejects unknown kinds and unknown fields', () => {
    expect(fieldsOf({ kind: 'shell', command: 'id' })).toEqual(['kind']);
    expect(fieldsOf({ ...base, comment: 'x"; reboot' })).toEqual(['comment']);
    expect(fieldsOf(null)).toEqual(['(spec)']);
  });

  it('assertRuleSpec throws a RuleValidationError listing the fields', () => {
    expect(() => assertRuleSpec({ ...base, ports: '80;reboot', interface: '$(id)' })).toThrowError(RuleValidationError);
    try {
      assertRuleSpec({ ...base, ports: '80;reboot', interface: '$(id)' });
    } catch (err) {
      expect((err as RuleValidationError).errors.map((e) => e.field).sort()).toEqual(['interface', 'ports.0']);
    }
  });
});
