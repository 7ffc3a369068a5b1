import { validateRuleSpec } from '@ctscope/rules';
import { describe, expect, it } from 'vitest';
import { UsageError } from './args';
import { specFromArgs } from './rules';

describe('ctscope rules arguments', () => {
  it('turns KIND KEY=VALUE into a spec the rules schema accepts', () => {
    const spec = specFromArgs(['connlimit', 'protocol=tcp', 'ports=22', 'above=100']);
    expect(spec).toEqual({ kind: 'connlimit', protocol: 'tcp', ports: '22', above: 100 });
    expect(validateRuleSpec(spec).ok).toBe(true);
  });
  it('leaves injection attempts to the schema, which names the field', () => {
    for (const [key, value] of [['ports', '80;reboot'], ['interface', 'eth0$(id)'], ['source', '`id`'], ['protocol', 'tcp\nreboot']]) {
      const result = validateRuleSpec(specFromArgs(['notrack', 'protocol=tcp', 'ports=80', `${key}=${value}`]));
      expect(result.ok).toBe(false);
      expect(!result.ok && result.errors[0]?.field).toMatch(new RegExp(`^${key}`));
    }
  });
  it('reads a log rate as COUNT/UNIT with an optional burst, as the usage shows it', () => {
    const spec = specFromArgs(['state', 'template=log-new', 'chain=input', 'rate=10/second']);
    expect(spec.rate).toEqual({ count: 10, per: 'second' });
    expect(validateRuleSpec(spec).ok).toBe(true);
    expect(specFromArgs(['state', 'template=log-new', 'rate=3/minute,burst=20']).rate).toEqual({ count: 3, per: 'minute', burst: 20 });
    for (const rate of ['10/fortnight', 'ten/second', '10']) {
      const result = validateRuleSpec(specFromArgs(['state', 'template=log-new', 'chain=input', `rate=${rate}`]));
      expect(result.ok, rate).toBe(false);
      expect(!result.ok && result.errors[0]?.field, rate).toMatch(/^rate/);
    }
  });
  it('refuses a missing kind or a bare word', () => {
    expect(() => specFromArgs([])).toThrow(UsageError);
    expect(() => specFromArgs(['protocol=tcp'])).toThrow(/kind/);
    expect(() => specFromArgs(['notrack', 'tcp'])).toThrow(/KEY=VALUE/);
  });
});
