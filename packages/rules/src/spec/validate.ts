import type { z } from 'zod';
import { ruleSpecSchema, type RuleSpec } from './schemas';

declare const validBrand: unique symbol;

/**
 * A spec that went through `validateRuleSpec`. Builders take only this type, so nothing that was
 * not parsed by the schemas can reach a command line or a ruleset fragment.
 */
export type Valid<T> = T & { readonly [validBrand]: true };
export type ValidRuleSpec = Valid<RuleSpec>;

export interface FieldError {
  /** Dotted path of the offending field, e.g. `ports.0`, `source`, `rate.count`. */
  field: string;
  message: string;
}

export type ValidationResult = { ok: true; spec: ValidRuleSpec } | { ok: false; errors: FieldError[] };

export class RuleValidationError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
    this.name = 'RuleValidationError';
  }
}

function toFieldErrors(error: z.ZodError): FieldError[] {
  const seen = new Set<string>();
  const all = error.issues.map((issue) => {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') return { field: [...path, ...issue.keys].join('.'), message: 'is not a known field' };
    return { field: path.length ? path.join('.') : issue.code === 'invalid_union' ? 'kind' : '(spec)', message: issue.message };
  });
  // One message per field: the first check that failed.
  return all.filter((e) => !seen.has(e.field) && seen.add(e.field));
}

export function validateRuleSpec(input: unknown): ValidationResult {
  const parsed = ruleSpecSchema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: toFieldErrors(parsed.error) };
  return { ok: true, spec: parsed.data as ValidRuleSpec };
}

export function assertRuleSpec(input: unknown): ValidRuleSpec {
  const result = validateRuleSpec(input);
  if (!result.ok) throw new RuleValidationError(result.errors);
  return result.spec;
}
