'use client';

import type { RefObject } from 'react';
import { CopyCommand } from '../copy-command';
import { conntrackCommand, type QueryCheck } from '../query/check-query';
import { QueryInput, type QueryError } from '../query/query-input';
import type { SeenValues } from '../query/suggest';

interface Props {
  draft: string;
  onDraft(text: string): void;
  onApply(text: string): void;
  check: QueryCheck;
  serverError: string | null;
  seen: SeenValues;
  inputRef: RefObject<HTMLInputElement | null>;
}

/** The filter box with its errors and the equivalent `conntrack` command. */
export function QueryBar({ draft, onDraft, onApply, check, serverError, seen, inputRef }: Props) {
  const error: QueryError | null = !check.ok ? { message: check.message, start: check.start, end: check.end } : serverError ? { message: serverError } : null;
  const command = check.ok ? conntrackCommand(check.filter) : null;
  return (
    <div className="query-bar">
      <QueryInput
        label="Filter"
        value={draft}
        onChange={onDraft}
        onSubmit={onApply}
        seen={seen}
        error={error}
        inputRef={inputRef}
        errorNote="the table still shows the last valid filter"
        placeholder="tcp dport:443 state:established · or paste -p tcp --dport 443 · press / to focus"
      />
      <div className="conntrack-command" data-testid="conntrack-command">
        {command?.ok && <CopyCommand command={command.command} label="Copy as conntrack command" />}
        {command && !command.ok && (
          <p className="muted small" role="note">
            Not expressible as a <code>conntrack</code> command: {command.reason}.
          </p>
        )}
        {check.ok && check.syntax === 'conntrack' && <p className="muted small">Read as pasted conntrack arguments.</p>}
      </div>
    </div>
  );
}
