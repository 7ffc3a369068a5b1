import { describe, expect, it } from 'vitest';
import { cidrContains, parseCidr, parseIpv6, prefixMask, type Cidr } from './address';

const ok = (text: string): Cidr => {
  const c = parseCidr(text);
  if (typeof c === 'string') throw new Error(c);
  return c;
};

describe('CIDR parsing', () => {
  it.each([
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['192.0.2.7', '192.0.2.7/32'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['2001:DB8::/32', '2001:db8::/32'],
    ['2001:db8:0:0:0:0:0:1', '2001:db8::1/128'],
    ['::', '::/128'],
    ['::1', '::1/128'],
    ['::ffff:192.0.2.1', '::ffff:c000:201/128'],
    ['fe80::/10', 'fe80::/10'],
    ['2001:0:0:1:0:0:0:0/64', '2001:0:0:1::/64'],
  ])('%s → %s', (input, canonical) => {
    expect(ok(input).text).toBe(canonical);
  });

  it.each(['1:2:3:4:5:6:7:8:9', '1::2::3', ':1', '1:', '12345::', 'g::', '::1.2.3', '1.2.3.4.5', '01.2.3.4', '::/129', '1.2.3.4/-1', '1.2.3.4/ 8'])('rejects %j', (bad) => {
    expect(typeof parseCidr(bad)).toBe('string');
  });

  it('parses all-eight-group IPv6 and containment', () => {
    expect(parseIpv6('1:2:3:4:5:6:7:8')).toHaveLength(16);
    expect(cidrContains(ok('10.0.0.0/8'), '10.255.1.2')).toBe(true);
    expect(cidrContains(ok('10.0.0.0/8'), '11.0.0.1')).toBe(false);
    expect(cidrContains(ok('2001:db8::/32'), '2001:db8:ffff::1')).toBe(true);
    expect(cidrContains(ok('2001:db8::/32'), '2001:db9::1')).toBe(false);
    expect(cidrContains(ok('10.0.0.0/8'), '2001:db8::1')).toBe(false);
  });

  it('renders netmasks', () => {
    expect(prefixMask('ipv4', 24)).toBe('255.255.255.0');
    expect(prefixMask('ipv4', 20)).toBe('255.255.240.0');
    expect(prefixMask('ipv6', 64)).toBe('ffff:ffff:ffff:ffff::');
  });
});
