import type { ValidRuleSpec } from './spec/validate';

/** Every rule we add carries this comment, so we can find our rules again after a restart. */
export const COMMENT_PREFIX = 'ctscope:';
export const RULE_ID_PATTERN = /^[0-9a-f]{12}$/;

/** Canonical JSON of a validated spec: sorted keys, CIDRs by their canonical text. */
export function canonicalSpec(spec: ValidRuleSpec): string {
  const normalise = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(normalise);
    if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if (typeof record.text === 'string' && typeof record.prefix === 'number') return record.text;
      return Object.fromEntries(
        Object.keys(record)
          .sort()
          .filter((k) => record[k] !== undefined)
          .map((k) => [k, normalise(record[k])]),
      );
    }
    return value;
  };
  return JSON.stringify(normalise(spec));
}

/** FNV-1a 64-bit (pure JS, works in the browser too). Not cryptographic: it only has to be stable. */
function fnv1a64(text: string): bigint {
  let hash = 0xcbf29ce484222325n;
  const bytes = new TextEncoder().encode(text);
  for (const b of bytes) {
    hash ^= BigInt(b);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash;
}

/** Same spec (after normalisation) → same id, so applying it twice is a no-op. */
export function ruleId(spec: ValidRuleSpec): string {
  return fnv1a64(canonicalSpec(spec)).toString(16).padStart(16, '0').slice(0, 12);
}

export function ruleComment(id: string): string {
  return `${COMMENT_PREFIX}${id}`;
}

/** The id inside a `ctscope:<id>` comment, or null for anyone else's comment. */
export function idFromComment(comment: string | undefined): string | null {
  if (!comment?.startsWith(COMMENT_PREFIX)) return null;
  const id = comment.slice(COMMENT_PREFIX.length);
  return RULE_ID_PATTERN.test(id) ? id : null;
}
