'use client';

import { useEffect, useState } from 'react';
import type { LiveSocket } from '../live/use-live-socket';
import { canChange, useSessionUser } from '../live/use-session-user';
import { DiagnosisCard } from './diagnosis-card';
import { sortDiagnoses } from './diagnosis-view';
import { useHostDiagnoses } from './use-diagnoses';

/** Re-render "for N min" now and then, not on every report. */
const CLOCK_MS = 15_000;

function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), CLOCK_MS);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/**
 * The host page's diagnoses: known problems the agent recognises, each with its evidence and fixes; one
 * quiet line when there is none (or none can be known: the host is offline).
 */
export function DiagnosesPanel({ live, hostId, online }: { live: LiveSocket; hostId: string; online: boolean | null }) {
  const { report, loading, error } = useHostDiagnoses(live, hostId);
  const user = useSessionUser();
  const mayChange = canChange(user);
  // Until the role is known, neither the operator's buttons nor the viewer's note.
  const viewer = user !== null && !mayChange;
  const now = useNow();
  const [openFix, setOpenFix] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const active = report ? sortDiagnoses(report.active) : [];

  let quiet: string | null = null;
  if (error || active.length > 0) quiet = null;
  else if (loading) quiet = 'Checking for known problems…';
  else if (online === false) quiet = 'The host is offline: its diagnoses are known again when its agent reconnects.';
  else if (!report) quiet = 'No diagnosis report from this agent yet (agents report within 30 s of connecting).';
  else if (active.length === 0) quiet = 'No known problem found.';

  return (
    <section id="diagnoses" className={`diagnoses${active.length > 0 ? ' diagnoses-active' : ''}`} aria-labelledby="diagnoses-title" aria-busy={loading}>
      {active.length > 0 ? (
        <h2 id="diagnoses-title">
          Diagnoses <span className="muted small">({active.length})</span>
        </h2>
      ) : (
        <h2 id="diagnoses-title" className="visually-hidden">
          Diagnoses
        </h2>
      )}
      {error && (
        <p className="error small" role="alert">
          Diagnoses: {error}
        </p>
      )}
      {quiet && (
        <p className="muted small diagnoses-quiet" data-testid="diagnoses-quiet">
          {quiet}
        </p>
      )}
      {done && (
        <p className="notice-ok" role="status">
          {done}{' '}
          <button type="button" className="link-button" onClick={() => setDone(null)}>
            Dismiss
          </button>
        </p>
      )}
      {active.map((d) => (
        <DiagnosisCard key={d.id} diagnosis={d} hostId={hostId} socket={live.socket} mayChange={mayChange} viewer={viewer} now={now} openFix={openFix} onOpenFix={setOpenFix} onDone={setDone} />
      ))}
    </section>
  );
}
