/** One problem with a request: which field, and what to do about it. */
export interface FieldIssue {
  /** Path into the request, e.g. "changes[1].value". */
  field: string;
  message: string;
}

/** The request was refused before anything was written. Safe to show: it carries no system detail beyond names and values. */
export class SysctlValidationError extends Error {
  readonly code = 'invalid' as const;
  constructor(readonly issues: readonly FieldIssue[]) {
    super(issues.map((i) => `${i.field}: ${i.message}`).join('; '));
    this.name = 'SysctlValidationError';
  }
}

export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  return out || '(request)';
}
