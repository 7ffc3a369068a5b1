'use client';

import type { Diagnosis } from '@ctscope/protocol';
import Link from 'next/link';
import type { BrowserSocket } from '../live/browser-socket';
import { connectionsHref, DIAGNOSIS_LABELS, formatLasting, SEVERITY_LABELS } from './diagnosis-view';
import { ExampleTable } from './example-table';
import { FixItem } from './fix-item';

interface Props {
  diagnosis: Diagnosis;
  hostId: string;
  socket: BrowserSocket | null;
  mayChange: boolean;
  /** Signed in as a viewer (false while the role is not known yet). */
  viewer: boolean;
  now: number;
  /** The open fix preview on the page, as `${diagnosis.id}#${index}`. */
  openFix: string | null;
  onOpenFix(key: string | null): void;
  onDone(message: string): void;
}

/** One diagnosis: what it is, since when, what it means, the evidence (facts, examples, the entries), and the fixes. */
export function DiagnosisCard({ diagnosis: d, hostId, socket, mayChange, viewer, now, openFix, onOpenFix, onDone }: Props) {
  const titleId = `diagnosis-${d.id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  return (
    <article className={`diagnosis diagnosis-${d.severity}`} aria-labelledby={titleId} data-diagnosis={d.name} data-testid="diagnosis">
      <header className="diagnosis-head">
        <span className={`diagnosis-severity severity-${d.severity}`}>{SEVERITY_LABELS[d.severity]}</span>
        <h3 id={titleId}>{d.title}</h3>
        <span className="muted small" title={`first seen ${new Date(d.since).toLocaleString()}`}>
          {DIAGNOSIS_LABELS[d.name]} · {formatLasting(d.since, now)}
        </span>
      </header>
      <p className="diagnosis-meaning">{d.meaning}</p>
      <div className="diagnosis-evidence">
        {d.evidence.facts.length > 0 && (
          <table className="diagnosis-facts" aria-label="evidence">
            <tbody>
              {d.evidence.facts.map((f, i) => (
                <tr key={`${i}:${f.label}`}>
                  <th scope="row">{f.label}</th>
                  <td className="mono">{f.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {d.evidence.query !== null && (
          <p className="diagnosis-query small">
            <Link href={connectionsHref(hostId, d.evidence.query)}>Show entries</Link> <code>{d.evidence.query}</code>
          </p>
        )}
      </div>
      <ExampleTable rows={d.evidence.examples} label={`example entries: ${d.title}`} />
      {d.fixes.length > 0 && (
        <>
          <h4 className="diagnosis-fixes-title">Fixes</h4>
          <ul className="diagnosis-fixes" aria-label={`fixes: ${d.title}`}>
            {d.fixes.map((fix, i) => {
              const key = `${d.id}#${i}`;
              return <FixItem key={key} fix={fix} socket={socket} hostId={hostId} mayChange={mayChange} viewer={viewer} open={openFix === key} onOpen={(open) => onOpenFix(open ? key : null)} onDone={onDone} />;
            })}
          </ul>
        </>
      )}
    </article>
  );
}
