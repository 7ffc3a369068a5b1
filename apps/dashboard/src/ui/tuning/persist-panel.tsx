'use client';

import type { SysctlPersistPreview } from '@ctscope/protocol';
import { useState } from 'react';
import { displayValue, shortName } from './drafts';
import type { SysctlRequests } from './sysctl-requests';

interface Props {
  requests: SysctlRequests;
  /** What would be saved: the form's pending values, else runtime values that are changed but not persisted. */
  values: readonly { name: string; value: number }[];
  source: 'form' | 'runtime';
  onWritten(): void;
}

type Step = { kind: 'idle' } | { kind: 'busy' } | { kind: 'planned'; plan: SysctlPersistPreview } | { kind: 'written'; files: string[] } | { kind: 'failed'; message: string };

function Diff({ title, path, diff, changed }: { title: string; path: string; diff: string; changed: boolean }) {
  return (
    <figure className="diff">
      <figcaption>
        {title}: <code>{path}</code> {changed ? '' : <span className="muted small">(no change)</span>}
      </figcaption>
      {changed && (
        <pre aria-label={`diff of ${path}`}>
          {diff.split('\n').map((line, i) => (
            <span key={i} className={line.startsWith('+') ? 'diff-add' : line.startsWith('-') ? 'diff-del' : undefined}>
              {line}
              {'\n'}
            </span>
          ))}
        </pre>
      )}
    </figure>
  );
}

/** Save values to /etc/sysctl.d/90-ctscope.conf: show both diffs and the warnings, then write on confirmation. */
export function PersistPanel({ requests, values, source, onWritten }: Props) {
  const [step, setStep] = useState<Step>({ kind: 'idle' });
  const request = { values: values.map((v) => ({ ...v })), mode: 'merge' as const };

  async function plan() {
    setStep({ kind: 'busy' });
    const answer = await requests.persistPreview(request);
    setStep(answer.ok ? { kind: 'planned', plan: answer.data } : { kind: 'failed', message: answer.message });
  }
  async function write() {
    setStep({ kind: 'busy' });
    const answer = await requests.persist(request);
    if (answer.ok) onWritten();
    setStep(answer.ok ? { kind: 'written', files: answer.data.written } : { kind: 'failed', message: answer.message });
  }

  return (
    <section className="panel persist" aria-labelledby="persist-title">
      <h2 id="persist-title">Persist across reboots</h2>
      {values.length === 0 ? (
        <p className="muted">Nothing to save: the form is empty and every changed value is already persisted.</p>
      ) : (
        <>
          <p className="small">
            {source === 'form' ? 'The values in the form:' : 'Runtime values that differ from the default and are not persisted yet:'}{' '}
            {values.map((v) => `${shortName(v.name)} = ${displayValue(v.name, v.value)}`).join(', ')}
          </p>
          <button type="button" className="secondary" onClick={() => void plan()} disabled={step.kind === 'busy'}>
            Save to /etc/sysctl.d/90-ctscope.conf…
          </button>
        </>
      )}
      {step.kind === 'failed' && <p className="error">{step.message}</p>}
      {step.kind === 'planned' && (
        <div className="persist-plan">
          <Diff title="Sysctl file" {...step.plan.sysctl} />
          <Diff title="Module loaded at boot" {...step.plan.modules} />
          {step.plan.warnings.map((w) => (
            <p key={w} className="notice-warn small">
              {w}
            </p>
          ))}
          <div className="form-actions">
            <button type="button" onClick={() => void write()}>
              Write {[step.plan.sysctl, step.plan.modules].filter((f) => f.changed).length} file(s)
            </button>
            <button type="button" className="link-button" onClick={() => setStep({ kind: 'idle' })}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {step.kind === 'written' && (
        <p className="notice-ok" role="status">
          Written: {step.files.length > 0 ? step.files.join(', ') : 'nothing (the files already said this)'}
        </p>
      )}
    </section>
  );
}
