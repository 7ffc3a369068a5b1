'use client';

import type { SysctlParam } from '@ctscope/protocol';
import { checkDraft, shortName } from './drafts';

interface Props {
  param: SysctlParam;
  draft: string | undefined;
  onDraft(name: string, text: string): void;
}

/** The edit control of one writable parameter: a choice list, a duration field or a number field, with inline checking. */
export function ValueEditor({ param, draft, onDraft }: Props) {
  const check = checkDraft(param, draft);
  const label = `New value for ${shortName(param.name)}`;
  const invalid = check.state === 'invalid';
  return (
    <div className="value-editor">
      {param.choices ? (
        <select aria-label={label} value={draft ?? ''} onChange={(e) => onDraft(param.name, e.target.value)}>
          <option value="">keep ({param.display})</option>
          {param.choices.map((c) => (
            <option key={c.value} value={String(c.value)}>
              {c.label}
            </option>
          ))}
        </select>
      ) : (
        <input
          type="text"
          inputMode={param.unit === 'seconds' ? 'text' : 'numeric'}
          aria-label={label}
          aria-invalid={invalid}
          className={invalid ? 'invalid' : undefined}
          placeholder={param.unit === 'seconds' ? 'e.g. 1h, 30m, 90s' : String(param.value ?? '')}
          value={draft ?? ''}
          onChange={(e) => onDraft(param.name, e.target.value)}
        />
      )}
      {check.state === 'ok' && !param.choices && <span className="draft-hint">= {check.display}</span>}
      {check.state === 'unchanged' && <span className="draft-hint muted">same as now</span>}
      {invalid && (
        <span className="draft-error" role="alert">
          {check.message}
        </span>
      )}
    </div>
  );
}
