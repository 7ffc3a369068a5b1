'use client';

import { CopyCommand } from '../copy-command';
import type { CreatedToken } from './create-token-form';

/** The secret of a token just made, shown this once, with a curl call that reads it from the environment. */
export function NewTokenPanel({ created, origin, onDone }: { created: CreatedToken; origin: string; onDone(): void }) {
  return (
    <section className="panel enrollment" aria-label={`New token ${created.token.name}`}>
      <h2>Token “{created.token.name}” ({created.token.role})</h2>
      <p className="notice-warn">
        <strong>This token is shown once.</strong> The dashboard keeps only its hash: copy it into your secret store now. If it is lost, revoke it and create another.
      </p>
      <CopyCommand command={created.secret} label="Copy token" />
      <p className="step">Use it on the JSON API with an Authorization header (the API is described in {origin}/api/openapi.json):</p>
      <CopyCommand command={`curl -fsS -H "Authorization: Bearer $CTSCOPE_TOKEN" ${origin}/api/hosts`} label="Copy" />
      <p className="muted small">Put the token in CTSCOPE_TOKEN from your secret store rather than on the command line, so it stays out of shell history. Tokens work on the HTTP API, not in the browser.</p>
      <button type="button" className="secondary-button" onClick={onDone}>
        I have copied it
      </button>
    </section>
  );
}
