import { describe, expect, it } from 'vitest';
import { formatAddress, formatCidr, parseAddress, parseCidr } from './address';

describe('addresses', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['::1', '::1'],
    ['::', '::'],
    ['FD00:0:0:0:0:0:0:1', 'fd00::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['::ffff:10.1.2.3', '::ffff:10.1.2.3'],
    ['::ffff:a01:203', '::ffff:10.1.2.3'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['1::', '1::'],
    ['0:0:1::', '0:0:1::'],
  ])('%s prints as %s (inet_ntop style)', (input, expected) => {
    const parsed = parseAddress(input);
    expect(parsed).not.toBeNull();
    if (parsed) expect(formatAddress(parsed)).toBe(expected);
  });

  it.each(['1.2.3', '1.2.3.256', '1.2.3.4.5', '01.2.3.4x', ':::', '1:2:3:4:5:6:7:8:9', '1::2::3', 'g::1', '', 'host'])('rejects %s', (input) => {
    expect(parseAddress(input)).toBeNull();
  });

  it.each([
    ['10.1.2.3/8', '10.0.0.0/8'],
    ['10.1.2.3/32', '10.1.2.3'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['fd00::1:2/64', 'fd00::/64'],
    ['fd00::1/128', 'fd00::1'],
    ['fd00::1/127', 'fd00::/127'],
  ])('CIDR %s is canonically %s', (input, expected) => {
    const parsed = parseCidr(input);
    expect(parsed.ok && formatCidr(parsed.cidr)).toBe(expected);
  });

  it.each(['10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/x'])('rejects CIDR %s', (input) => {
    expect(parseCidr(input).ok).toBe(false);
  });
});
