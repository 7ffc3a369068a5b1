'use client';

import type { ReactNode } from 'react';
import type { RuleForm } from './rule-form-state';

type Key = keyof RuleForm;

interface FieldProps {
  form: RuleForm;
  field: Key;
  label: string;
  /** The spec field the agent names in its errors (default: the form field). */
  specField?: string;
  errors: Record<string, string>;
  onChange(field: Key, value: string): void;
  hint?: ReactNode;
}

function errorFor(errors: Record<string, string>, specField: string): string | undefined {
  return errors[specField] ?? Object.entries(errors).find(([k]) => k.startsWith(`${specField}.`))?.[1];
}

/** A text field of the builder, with the agent's error for its spec field underneath. */
export function TextField({ form, field, label, specField = field, errors, onChange, hint, placeholder }: FieldProps & { placeholder?: string }) {
  const error = errorFor(errors, specField);
  return (
    <label className={error ? 'field field-invalid' : 'field'}>
      <span>{label}</span>
      <input type="text" aria-label={label} value={form[field]} placeholder={placeholder} aria-invalid={Boolean(error)} onChange={(e) => onChange(field, e.target.value)} />
      {error && <span className="field-error">{`${specField}: ${error}`}</span>}
      {!error && hint && <span className="field-hint">{hint}</span>}
    </label>
  );
}

/** A choice of the builder, with the agent's error for its spec field underneath. */
export function ChoiceField({ form, field, label, specField = field, errors, onChange, hint, options }: FieldProps & { options: readonly (string | { value: string; label: string })[] }) {
  const error = errorFor(errors, specField);
  return (
    <label className={error ? 'field field-invalid' : 'field'}>
      <span>{label}</span>
      <select aria-label={label} value={form[field]} onChange={(e) => onChange(field, e.target.value)}>
        {options.map((o) => {
          const { value, label: text } = typeof o === 'string' ? { value: o, label: o } : o;
          return (
            <option key={value} value={value}>
              {text}
            </option>
          );
        })}
      </select>
      {error && <span className="field-error">{`${specField}: ${error}`}</span>}
      {!error && hint && <span className="field-hint">{hint}</span>}
    </label>
  );
}
