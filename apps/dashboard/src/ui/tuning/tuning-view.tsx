'use client';

import { DEFAULT_CONFIRM_WITHIN_MS, ErrorCode, type SysctlApplyResult, type SysctlPreview } from '@ctscope/protocol';
import { useState } from 'react';
import { ConfirmWithin } from '../confirm/confirm-within';
import { PendingChanges } from '../confirm/pending-changes';
import { usePendingChanges } from '../confirm/use-pending-changes';
import { HostBar } from '../live/host-bar';
import { NoHosts } from '../live/no-hosts';
import { useChosenHost } from '../live/use-host-directory';
import { useLiveSocket } from '../live/use-live-socket';
import { canChange, useSessionUser } from '../live/use-session-user';
import { replaceSearchParams } from '../live/url-state';
import { AdvicePanel } from './advice-panel';
import { ApplyResult } from './apply-result';
import { fillFrom, invalidDrafts, pendingChanges, shortName, type Drafts } from './drafts';
import { HistoryList } from './history-list';
import { ParamTable } from './param-table';
import { PersistPanel } from './persist-panel';
import { PreviewPanel } from './preview-panel';
import { persistCandidates } from './persist-candidates';
import { useSysctlData } from './use-sysctl-state';

interface Applied {
  result: SysctlApplyResult;
  rolledBack: boolean;
  /** Why the agent refused to roll back (a value moved since): the page offers to force it. */
  conflict: string | null;
}

/** /tuning: every nf_conntrack parameter, recommendations and profiles, preview → apply → roll back, history, persist. */
export function TuningView({ initialHost }: { initialHost: string | null }) {
  const live = useLiveSocket();
  const { hosts, hostsError, hostId, host, setRequestedHost } = useChosenHost(live, initialHost);
  const user = useSessionUser();
  const mayChange = canChange(user);
  const online = host?.online ?? false;
  const data = useSysctlData(live, hostId, online);
  const { requests, state } = data;

  const [drafts, setDrafts] = useState<Drafts>({});
  const [note, setNote] = useState<string | null>(null);
  const [preview, setPreview] = useState<SysctlPreview | null>(null);
  const [freeIdle, setFreeIdle] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [applied, setApplied] = useState<Applied | null>(null);
  // A revert (or a confirmation) of a sysctl change: the table shows the values as they are now, and
  // the result of the apply that was undone says so.
  const pendingView = usePendingChanges(live, hostId, (outcome) => {
    if (outcome.kind !== 'sysctl') return;
    data.reload();
    if (outcome.outcome === 'reverted' && applied?.result.changeId === outcome.changeId) setApplied({ ...applied, rolledBack: true, conflict: null });
  });
  const [confirmWithin, setConfirmWithin] = useState<number | null>(DEFAULT_CONFIRM_WITHIN_MS);

  const params = state?.params ?? [];
  const changes = pendingChanges(params, drafts);
  const invalid = invalidDrafts(params, drafts);

  const onDraft = (name: string, text: string) => {
    setDrafts((d) => ({ ...d, [name]: text }));
    setPreview(null);
  };
  const onFill = (values: readonly { name: string; value: number }[], source: string) => {
    const filled = fillFrom(params, drafts, values);
    setDrafts(filled.drafts);
    setPreview(null);
    setNote(`Filled from “${source}”.${filled.skipped.length > 0 ? ` Left out (read-only here): ${filled.skipped.map(shortName).join(', ')}.` : ''} Nothing is applied until you preview and apply.`);
  };
  const changeHost = (id: string) => {
    setRequestedHost(id);
    setDrafts({});
    setPreview(null);
    setApplied(null);
    replaceSearchParams({ host: id });
  };

  async function runPreview() {
    if (!requests) return;
    setBusy(true);
    setError(null);
    const answer = await requests.preview(changes);
    setBusy(false);
    if (answer.ok) {
      setPreview(answer.data);
      setFreeIdle(false);
    } else setError(answer.message);
  }
  async function runApply() {
    if (!requests) return;
    setBusy(true);
    setError(null);
    const answer = await requests.apply(changes, freeIdle, confirmWithin);
    setBusy(false);
    if (!answer.ok) return setError(answer.message);
    setApplied({ result: answer.data, rolledBack: false, conflict: null });
    setPreview(null);
    setDrafts({});
    setNote(null);
    data.reload();
  }
  async function runRollback(force: boolean) {
    if (!requests || !applied) return;
    setBusy(true);
    setError(null);
    const answer = await requests.rollback(applied.result.changeId, force);
    setBusy(false);
    if (!answer.ok && answer.code === ErrorCode.Conflict && !force) return setApplied({ ...applied, conflict: answer.message });
    if (!answer.ok) return setError(`Roll back failed: ${answer.message}`);
    setApplied({ ...applied, rolledBack: true, conflict: null });
    data.reload();
  }

  const persist = persistCandidates(params, changes);
  return (
    <>
      <HostBar title="Tuning" hosts={hosts} hostId={hostId} onHost={changeHost} connection={live.connection} />
      {hostsError && <p className="error">{hostsError}</p>}
      {hosts && hosts.length === 0 && <NoHosts />}
      {data.stateError && <p className="error">{data.stateError}</p>}
      {hostId && !state && !data.stateError && <p className="muted">Reading the parameters…</p>}
      {state && (
        <div className="tuning">
          {!state.moduleLoaded && <p className="notice-warn">The nf_conntrack module is not loaded on this host: nothing is tracked and the parameters do not exist yet.</p>}
          {user && !mayChange && <p className="notice-warn small">You are signed in as a viewer: you can read every value, but not change them.</p>}
          <AdvicePanel state={state} mayChange={mayChange} onFill={onFill} />
          {mayChange && (
            <div className="change-bar" role="region" aria-label="Pending changes">
              <span>
                {changes.length === 0 ? 'No pending changes: type a new value in the table.' : `${changes.length} pending change${changes.length === 1 ? '' : 's'}: ${changes.map((c) => shortName(c.name)).join(', ')}`}
                {invalid.length > 0 && <span className="danger-text"> · fix {invalid.length} invalid value{invalid.length === 1 ? '' : 's'}</span>}
              </span>
              <button type="button" onClick={() => void runPreview()} disabled={busy || changes.length === 0 || invalid.length > 0}>
                Preview
              </button>
              <button
                type="button"
                className="secondary"
                disabled={busy || Object.keys(drafts).length === 0}
                onClick={() => {
                  setDrafts({});
                  setPreview(null);
                  setNote(null);
                }}
              >
                Clear the form
              </button>
            </div>
          )}
          {note && <p className="notice-ok small">{note}</p>}
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          <PendingChanges view={pendingView} kind="sysctl" mayChange={mayChange} />
          {preview && (
            <PreviewPanel
              preview={preview}
              freeIdle={freeIdle}
              onFreeIdle={setFreeIdle}
              busy={busy}
              mayChange={mayChange}
              onApply={() => void runApply()}
              onCancel={() => setPreview(null)}
              applyOptions={<ConfirmWithin value={confirmWithin} onChange={setConfirmWithin} />}
            />
          )}
          {applied && (
            <ApplyResult result={applied.result} rolledBack={applied.rolledBack} conflict={applied.conflict} busy={busy} onRollback={(force) => void runRollback(force)} onDismiss={() => setApplied(null)} />
          )}
          <ParamTable params={params} drafts={drafts} onDraft={onDraft} mayChange={mayChange} />
          <HistoryList entries={data.history} error={data.historyError} names={params.filter((p) => p.writable).map((p) => p.name)} valueOf={(name) => params.find((p) => p.name === name)?.value ?? null} />
          {user?.role === 'admin' && requests && <PersistPanel key={JSON.stringify(persist)} requests={requests} values={persist.values} source={persist.source} onWritten={data.reload} />}
        </div>
      )}
    </>
  );
}
