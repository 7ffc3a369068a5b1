'use client';

import { PUBLIC_URL_PLACEHOLDER, agentsRefusePlainHttp, type Enrollment } from '@ctscope/protocol';
import { CopyCommand } from '../copy-command';

const KIND_TEXT = { deb: 'Debian, Ubuntu (.deb)', tarball: 'any other x86-64 Linux (tarball, unpacked in /opt/ctscope)' } as const;

/** The token and the commands for one host, shown once: the dashboard keeps only the token's hash. */
export function EnrollmentPanel({ enrollment, onDone }: { enrollment: Enrollment; onDone(): void }) {
  const [primary, ...others] = enrollment.install;
  return (
    <section className="enrollment" aria-label={`Enrollment for ${enrollment.hostId}`}>
      <h2>Install the agent on {enrollment.hostId}</h2>
      <p className="notice-warn">
        <strong>This token is shown once.</strong> The dashboard keeps only its hash: keep this panel open until the agent runs. If the token is lost, issue a new one.
      </p>
      {enrollment.dashboardUrl === null && (
        <p className="notice" role="alert">
          <strong>CTSCOPE_PUBLIC_URL is not set.</strong> Hosts need the address they reach this dashboard by, and the dashboard does not take it from your browser (a request can claim any
          address). Set <code>CTSCOPE_PUBLIC_URL=https://…</code> in the dashboard&apos;s environment and restart it, then issue a new token; until then replace{' '}
          <code>{PUBLIC_URL_PLACEHOLDER}</code> in the commands below.
        </p>
      )}
      {primary === undefined ? (
        <p className="notice" role="alert">
          <strong>No agent package is built on this dashboard.</strong> Run <code>npm run package</code> where the dashboard runs (<code>npm start</code> does it), then issue a new token.
        </p>
      ) : (
        <>
          <p className="step">1. Download the agent from this dashboard, check its sha256 and install it — {KIND_TEXT[primary.kind]}:</p>
          <CopyCommand command={primary.command} label="Copy" />
          {others.map((pkg) => (
            <details key={pkg.file} className="token-details">
              <summary>On {KIND_TEXT[pkg.kind]}</summary>
              <CopyCommand command={pkg.command} label="Copy" />
            </details>
          ))}
        </>
      )}
      <p className="step">2. Point it at this dashboard:</p>
      <CopyCommand command={enrollment.configureCommand} label="Copy" />
      {enrollment.dashboardUrl?.startsWith('https:') && (
        <p className="muted">
          If a private CA signed this dashboard&apos;s certificate, the agent must be given it: copy the CA&apos;s PEM to the host (
          <code>sudo install -o root -g root -m 0644 ca.pem /etc/ctscope/ca.pem</code>) and add <code>CTSCOPE_CA_FILE=/etc/ctscope/ca.pem</code> to /etc/ctscope/agent.env.
        </p>
      )}
      {enrollment.dashboardUrl !== null && agentsRefusePlainHttp(enrollment.dashboardUrl) && (
        <p className="notice" role="alert">
          <strong>Agents refuse this plain http:// address:</strong> the token and every change would cross the network unencrypted. Serve the dashboard over HTTPS
          (<code>CTSCOPE_TLS_CERT</code> and <code>CTSCOPE_TLS_KEY</code>, or a TLS proxy) and set <code>CTSCOPE_PUBLIC_URL=https://…</code>; or accept the risk with{' '}
          <code>CTSCOPE_INSECURE_HTTP=1</code> in /etc/ctscope/agent.env (the agent then warns every hour).
        </p>
      )}
      <p className="step">
        3. Write the token to {enrollment.tokenFile} (root only, mode 0600). Paste the token at the prompt: it is not shown, and stays out of the shell history and the process list.
      </p>
      <CopyCommand command={enrollment.writeTokenCommand} label="Copy" />
      <CopyCommand command={enrollment.token} label="Copy token" />
      <p className="step">4. Start it (and at every boot). It dials out to this dashboard and opens no port:</p>
      <CopyCommand command={enrollment.startCommand} label="Copy" />
      <div className="modal-actions">
        <button type="button" onClick={onDone}>
          I have copied it
        </button>
      </div>
    </section>
  );
}
