'use client';

import type { Enrollment } from '@ctscope/protocol';
import { CopyCommand } from '../copy-command';

/** The token and commands for one host, shown once: the dashboard keeps only the token's hash. */
export function EnrollmentPanel({ enrollment, onDone }: { enrollment: Enrollment; onDone(): void }) {
  return (
    <section className="enrollment" aria-label={`Enrollment for ${enrollment.hostId}`}>
      <h2>Start the agent on {enrollment.hostId}</h2>
      <p className="notice-warn">
        <strong>This token is shown once.</strong> The dashboard keeps only its hash: copy it now. If it is lost, issue a new token.
      </p>
      <p className="step">1. Write the token to {enrollment.tokenFile} (root only, mode 0600):</p>
      <CopyCommand command={enrollment.writeTokenCommand} label="Copy" />
      <p className="step">2. Start the agent (it dials out to this dashboard; it opens no port):</p>
      <CopyCommand command={enrollment.startCommand} label="Copy" />
      <details className="token-details">
        <summary>Token only</summary>
        <CopyCommand command={enrollment.token} label="Copy token" />
      </details>
      <div className="modal-actions">
        <button type="button" onClick={onDone}>
          I have copied it
        </button>
      </div>
    </section>
  );
}
