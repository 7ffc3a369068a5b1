'use client';

import { DEFAULT_CONFIRM_WITHIN_MS, ErrorCode, type RuleDetection, type RulePreview } from '@ctscope/protocol';
import { useEffect, useMemo, useState } from 'react';
import { ConfirmWithin } from '../confirm/confirm-within';
import { PendingChanges } from '../confirm/pending-changes';
import { usePendingChanges } from '../confirm/use-pending-changes';
import { HostBar } from '../live/host-bar';
import { NoHosts } from '../live/no-hosts';
import { useChosenHost } from '../live/use-host-directory';
import { useLiveSocket } from '../live/use-live-socket';
import { canChange, useSessionUser } from '../live/use-session-user';
import { replaceSearchParams } from '../live/url-state';
import { RuleBuilder } from './rule-builder';
import { EMPTY_FORM, fieldErrors, formForSource, specFromForm, type RuleForm } from './rule-form-state';
import { RuleListPanel } from './rule-list';
import { RulePreviewPanel } from './rule-preview';
import { ruleRequests } from './rule-requests';
import { useRuleList } from './use-rule-list';

const BACKEND_NAME: Record<RuleDetection['backend'], string> = { nft: 'nftables', 'iptables-nft': 'iptables (nf_tables backend)', 'iptables-legacy': 'iptables (legacy)' };

/** /rules: backend, builder → preview (commands, impact, warnings) → apply, and our rules with counters. */
export function RulesView({ initialHost, initialSource }: { initialHost: string | null; initialSource: string | null }) {
  const live = useLiveSocket();
  const { hosts, hostsError, hostId, host, setRequestedHost } = useChosenHost(live, initialHost);
  const user = useSessionUser();
  const mayChange = canChange(user);
  const online = host?.online ?? false;
  const requests = useMemo(() => (live.socket && hostId ? ruleRequests(live.socket, hostId) : null), [live.socket, hostId]);
  const rules = useRuleList(requests, live.generation);
  const pendingView = usePendingChanges(live, hostId, (outcome) => {
    if (outcome.kind === 'rule') rules.refresh();
  });
  const [confirmWithin, setConfirmWithin] = useState<number | null>(DEFAULT_CONFIRM_WITHIN_MS);

  const [detection, setDetection] = useState<{ data: RuleDetection | null; error: string | null }>({ data: null, error: null });
  const [form, setForm] = useState<RuleForm>(() => (initialSource ? formForSource(initialSource) : EMPTY_FORM));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [preview, setPreview] = useState<RulePreview | null>(null);
  const [withCompanions, setWithCompanions] = useState(true);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    // Asked again when the agent comes back (an offline host cannot answer).
    if (!requests || live.generation === 0) return;
    let alive = true;
    void requests.detect().then((answer) => {
      if (alive) setDetection(answer.ok ? { data: answer.data, error: null } : { data: null, error: answer.message });
    });
    return () => {
      alive = false;
    };
  }, [requests, live.generation, online]);

  const onChange = (field: keyof RuleForm, value: string) => {
    setForm((f) => ({ ...f, [field]: value }));
    setPreview(null);
    setErrors({});
  };
  const changeHost = (id: string) => {
    setRequestedHost(id);
    setPreview(null);
    replaceSearchParams({ host: id });
  };
  const failed = (code: string, message: string) => {
    if (code === ErrorCode.BadRequest) {
      const byField = fieldErrors(message);
      setErrors(byField);
      setError(Object.keys(byField).length > 0 ? `Check the highlighted fields: ${message}` : message);
    } else setError(message);
  };

  async function runPreview() {
    if (!requests) return;
    setBusy(true);
    setError(null);
    setNotice(null);
    const answer = await requests.preview(specFromForm(form));
    setBusy(false);
    if (!answer.ok) return failed(answer.code, answer.message);
    setErrors({});
    setPreview(answer.data);
  }
  async function runApply() {
    if (!requests) return;
    setBusy(true);
    setError(null);
    const answer = await requests.apply(specFromForm(form), withCompanions && (preview?.companions.length ?? 0) > 0, confirmWithin);
    setBusy(false);
    if (!answer.ok) return failed(answer.code, answer.message);
    const { id, changed, rules: count, companions } = answer.data;
    const pendingNote = answer.data.confirmBy !== undefined ? ' It is removed again unless you confirm it below.' : '';
    setNotice(changed ? `Applied rule ${id} (${count} rule${count === 1 ? '' : 's'})${companions.length > 0 ? ` and ${companions.length} companion${companions.length === 1 ? '' : 's'}` : ''}.${pendingNote}` : `Rule ${id} was already in place; nothing changed.`);
    setPreview(null);
    rules.refresh();
  }
  async function runRemove(id: string | null) {
    if (!requests) return;
    setBusy(true);
    setError(null);
    const answer = id ? await requests.remove(id) : await requests.removeAll();
    setBusy(false);
    if (!answer.ok) return setError(answer.message);
    setNotice(`Removed ${answer.data.removed} rule${answer.data.removed === 1 ? '' : 's'}.`);
    rules.refresh();
  }

  return (
    <>
      <HostBar title="Rules" hosts={hosts} hostId={hostId} onHost={changeHost} connection={live.connection} />
      {hostsError && <p className="error">{hostsError}</p>}
      {hosts && hosts.length === 0 && <NoHosts />}
      {hostId && (
        <div className="rules-page">
          <section className="panel backend" aria-label="Firewall backend">
            {detection.error && <p className="error">{detection.error}</p>}
            {!detection.data && !detection.error && <p className="muted">Detecting the firewall backend…</p>}
            {detection.data && (
              <>
                <p data-testid="backend">
                  <strong>{BACKEND_NAME[detection.data.backend]}</strong>, because {detection.data.reason}
                </p>
                <p className="small muted">
                  NOTRACK as <code>{detection.data.notrackTarget}</code>: {detection.data.notrackReason}
                </p>
              </>
            )}
          </section>
          {user && !mayChange && <p className="notice-warn small">You are signed in as a viewer: you can build and preview rules, but not apply or remove them.</p>}
          <section className="panel" aria-labelledby="builder-title">
            <h2 id="builder-title">Build a rule</h2>
            <RuleBuilder form={form} errors={errors} onChange={onChange} hostId={hostId} sourceHint={initialSource ? `From the top talkers: ${initialSource}. A connection limit applies to every source (per address with prefix 32/128); it refuses ${initialSource}'s connections above the limit while it holds that many.` : null} />
            <div className="form-actions">
              <button type="button" onClick={() => void runPreview()} disabled={busy}>
                Preview
              </button>
              <button
                type="button"
                className="secondary"
                onClick={() => {
                  setForm(EMPTY_FORM);
                  setPreview(null);
                  setErrors({});
                  setError(null);
                }}
              >
                Reset
              </button>
            </div>
            {error && (
              <p className="error" role="alert">
                {error}
              </p>
            )}
          </section>
          {notice && (
            <p className="notice-ok" role="status">
              {notice}
            </p>
          )}
          <PendingChanges view={pendingView} kind="rule" mayChange={mayChange} />
          {preview && (
            <RulePreviewPanel
              preview={preview}
              withCompanions={withCompanions}
              onWithCompanions={setWithCompanions}
              mayChange={mayChange}
              busy={busy}
              onApply={() => void runApply()}
              applyOptions={<ConfirmWithin value={confirmWithin} onChange={setConfirmWithin} />}
            />
          )}
          <RuleListPanel list={rules.list} error={rules.error} mayChange={mayChange} busy={busy} onRemove={(id) => void runRemove(id)} onRemoveAll={() => void runRemove(null)} />
        </div>
      )}
    </>
  );
}
