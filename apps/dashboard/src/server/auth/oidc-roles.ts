import { ROLES, type Role } from '@ctscope/protocol';

/** Group (a value of the role claim) → the ctscope role it grants. */
export type RoleMap = ReadonlyMap<string, Role>;

const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };

/**
 * Parses `netops=operator,admins=admin,readers=viewer`. A group name may itself hold `=` (the role is
 * after the last one); each group appears once.
 */
export function parseRoleMap(text: string): RoleMap {
  const map = new Map<string, Role>();
  for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const at = pair.lastIndexOf('=');
    const group = at > 0 ? pair.slice(0, at).trim() : '';
    const role = at > 0 ? pair.slice(at + 1).trim() : '';
    if (!group) throw new Error(`"${pair}" is not group=role (like netops=operator)`);
    if (!(ROLES as readonly string[]).includes(role)) throw new Error(`"${pair}": the role must be one of ${ROLES.join(', ')}`);
    if (map.has(group)) throw new Error(`group "${group}" appears twice`);
    map.set(group, role as Role);
  }
  if (map.size === 0) throw new Error('map at least one group to a role, like netops=operator,admins=admin');
  return map;
}

/**
 * The values of the role claim in ID token claims: a list of strings, or one string. `path` may be
 * dotted (realm_access.roles) to reach into an object claim; a name holding dots itself is tried whole first.
 */
export function claimValues(claims: Readonly<Record<string, unknown>>, path: string): string[] {
  let value: unknown = claims[path];
  if (value === undefined && path.includes('.')) {
    value = path.split('.').reduce<unknown>((at, key) => (at !== null && typeof at === 'object' && !Array.isArray(at) ? (at as Record<string, unknown>)[key] : undefined), claims);
  }
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/** The highest role any of the groups maps to, or null when none maps to one. */
export function roleForGroups(groups: readonly string[], map: RoleMap): Role | null {
  let best: Role | null = null;
  for (const group of groups) {
    const role = map.get(group);
    if (role && (!best || RANK[role] > RANK[best])) best = role;
  }
  return best;
}
