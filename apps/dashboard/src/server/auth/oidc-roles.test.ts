import { describe, expect, it } from 'vitest';
import { claimValues, parseRoleMap, roleForGroups } from './oidc-roles';
import { usernameFromClaims } from './oidc-users';

describe('the SSO claim-to-role map', () => {
  const map = parseRoleMap('netops=operator, admins=admin,readers=viewer,cn=ops=viewer');

  it('parses group=role pairs, a group name holding = included', () => {
    expect([...map]).toEqual([
      ['netops', 'operator'],
      ['admins', 'admin'],
      ['readers', 'viewer'],
      ['cn=ops', 'viewer'],
    ]);
  });

  it('refuses unknown roles, missing groups, duplicates and an empty map, saying what is wrong', () => {
    expect(() => parseRoleMap('netops=root')).toThrow('"netops=root": the role must be one of admin, operator, viewer');
    expect(() => parseRoleMap('=admin')).toThrow('is not group=role');
    expect(() => parseRoleMap('netops')).toThrow('is not group=role');
    expect(() => parseRoleMap('a=viewer,a=admin')).toThrow('group "a" appears twice');
    expect(() => parseRoleMap(' , ')).toThrow('map at least one group');
  });

  it('gives the highest role any group maps to, and none when no group is mapped', () => {
    expect(roleForGroups(['readers', 'netops'], map)).toBe('operator');
    expect(roleForGroups(['admins', 'readers', 'netops'], map)).toBe('admin');
    expect(roleForGroups(['readers'], map)).toBe('viewer');
    expect(roleForGroups(['sales', 'Netops'], map)).toBeNull();
    expect(roleForGroups([], map)).toBeNull();
  });

  it('reads the claim as a list, a single string, or at a dotted path', () => {
    expect(claimValues({ groups: ['netops', 7, 'readers'] }, 'groups')).toEqual(['netops', 'readers']);
    expect(claimValues({ groups: 'netops' }, 'groups')).toEqual(['netops']);
    expect(claimValues({ realm_access: { roles: ['admins'] } }, 'realm_access.roles')).toEqual(['admins']);
    expect(claimValues({ 'https://example.com/groups': ['x'] }, 'https://example.com/groups')).toEqual(['x']);
    expect(claimValues({ groups: { netops: true } }, 'groups')).toEqual([]);
    expect(claimValues({}, 'groups')).toEqual([]);
  });
});

describe('usernames of new SSO users', () => {
  it('come from preferred_username, then email, then sub, in the allowed characters', () => {
    expect(usernameFromClaims({ preferred_username: 'ann', email: 'a@x', sub: '1' })).toBe('ann');
    expect(usernameFromClaims({ email: 'ann.lee@example.com', sub: '1' })).toBe('ann.lee@example.com');
    expect(usernameFromClaims({ preferred_username: '  Ann Lee/ops', sub: '1' })).toBe('Ann-Lee-ops');
    expect(usernameFromClaims({ preferred_username: '---', sub: 'f81d4fae' })).toBe('f81d4fae');
  });
});
