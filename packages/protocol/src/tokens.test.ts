import { describe, expect, it } from 'vitest';
import { API_TOKEN_PATTERN, createTokenRequestSchema, lowerRole } from './tokens';

describe('API token schemas', () => {
  it('takes a name, a role and 1 to 365 days', () => {
    expect(createTokenRequestSchema.parse({ name: ' ci deploy ', role: 'viewer', expiresInDays: 365 })).toEqual({ name: 'ci deploy', role: 'viewer', expiresInDays: 365 });
    for (const bad of [
      { name: 'x', role: 'viewer', expiresInDays: 0 },
      { name: 'x', role: 'viewer', expiresInDays: 366 },
      { name: 'x', role: 'viewer', expiresInDays: 1.5 },
      { name: 'x', role: 'viewer' },
      { name: 'x', role: 'root', expiresInDays: 1 },
      { name: '', role: 'viewer', expiresInDays: 1 },
      { name: '<script>', role: 'viewer', expiresInDays: 1 },
      { name: 'a'.repeat(65), role: 'viewer', expiresInDays: 1 },
    ]) {
      expect(createTokenRequestSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('knows the token format and which role is lower', () => {
    expect(API_TOKEN_PATTERN.test(`ctscope_${'a'.repeat(43)}`)).toBe(true);
    expect(API_TOKEN_PATTERN.test(`ctscope_${'a'.repeat(42)}`)).toBe(false);
    expect(API_TOKEN_PATTERN.test(`xtscope_${'a'.repeat(43)}`)).toBe(false);
    expect(lowerRole('admin', 'viewer')).toBe('viewer');
    expect(lowerRole('operator', 'admin')).toBe('operator');
    expect(lowerRole('viewer', 'viewer')).toBe('viewer');
  });
});
