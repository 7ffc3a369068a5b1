'use client';

import type { SysctlStateWire } from '@ctscope/protocol';
import { formatCount } from '../format';
import { displayValue, shortName } from './drafts';

interface Props {
  state: SysctlStateWire;
  mayChange: boolean;
  onFill(values: readonly { name: string; value: number }[], source: string): void;
}

const SEVERITY_TEXT = { info: 'Info', suggest: 'Suggestion', warn: 'Warning' } as const;

function ProposedList({ values }: { values: readonly { name: string; value: number }[] }) {
  if (values.length === 0) return null;
  return (
    <ul className="proposed">
      {values.map((v) => (
        <li key={v.name}>
          <code>{shortName(v.name)}</code> → {displayValue(v.name, v.value)}
        </li>
      ))}
    </ul>
  );
}

/** nf_conntrack_max sizing (ours beside kube-proxy's formula), recommendations with reasons, and profiles. */
export function AdvicePanel({ state, mayChange, onFill }: Props) {
  const { maxAdvice, facts } = state;
  const writable = new Set(state.params.filter((p) => p.writable).map((p) => p.name));
  const fillable = (values: readonly { name: string }[]) => values.some((v) => writable.has(v.name));
  return (
    <div className="advice">
      <section className="panel" aria-labelledby="max-advice">
        <h2 id="max-advice">Table size for this host</h2>
        <p className="muted small">
          {formatCount(Math.round(facts.memTotalBytes / 1024 ** 2))} MiB RAM · {facts.cpus} CPUs · {facts.inInitialNetns ? 'initial network namespace (the host)' : 'inside a network namespace (a container)'}
        </p>
        <table className="data-table max-advice">
          <thead>
            <tr>
              <th />
              <th>nf_conntrack_max</th>
              <th>buckets</th>
              <th>How</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">ctscope</th>
              <td className="mono-cell">{formatCount(maxAdvice.ours.max)}</td>
              <td className="mono-cell">{formatCount(maxAdvice.ours.buckets)}</td>
              <td className="small">{maxAdvice.ours.reason}</td>
            </tr>
            <tr>
              <th scope="row">kube-proxy</th>
              <td className="mono-cell">{formatCount(maxAdvice.kubeProxy.max)}</td>
              <td className="mono-cell">{formatCount(maxAdvice.kubeProxy.buckets)}</td>
              <td className="small">{maxAdvice.kubeProxy.formula}</td>
            </tr>
            <tr>
              <th scope="row">kernel default</th>
              <td className="mono-cell">{formatCount(maxAdvice.kernelDefault.max)}</td>
              <td className="mono-cell">{formatCount(maxAdvice.kernelDefault.buckets)}</td>
              <td className="small muted">computed by the kernel from memory at boot</td>
            </tr>
          </tbody>
        </table>
      </section>

      <section className="panel" aria-labelledby="recommendations">
        <h2 id="recommendations">Recommendations</h2>
        {state.recommendations.length === 0 && <p className="muted">Nothing to recommend.</p>}
        <ul className="recommendations">
          {state.recommendations.map((r) => (
            <li key={r.id} className={`recommendation severity-${r.severity}`} data-recommendation={r.id}>
              <div className="recommendation-head">
                <span className={`badge badge-${r.severity}`}>{SEVERITY_TEXT[r.severity]}</span>
                <strong>{r.title}</strong>
                {mayChange && fillable(r.proposed) && (
                  <button type="button" className="secondary small-button" onClick={() => onFill(r.proposed, r.title)}>
                    Fill the form
                  </button>
                )}
              </div>
              <p>{r.reason}</p>
              {r.tradeoff && (
                <p className="tradeoff">
                  <span className="muted">Trade-off:</span> {r.tradeoff}
                </p>
              )}
              <ProposedList values={r.proposed} />
              {r.proposed.length > 0 && !fillable(r.proposed) && <p className="small muted">Read-only here (global parameters): change them on the host itself.</p>}
            </li>
          ))}
        </ul>
      </section>

      <section className="panel" aria-labelledby="profiles">
        <h2 id="profiles">Profiles</h2>
        <p className="muted small">A profile fills the form; nothing changes until you preview and apply.</p>
        <div className="profiles">
          {state.profiles.map((p) => (
            <article key={p.id} className="profile" data-profile={p.id}>
              <h3>{p.title}</h3>
              <p className="small">{p.description}</p>
              <ul className="proposed">
                {p.values.map((v) => (
                  <li key={v.name} className={v.writable ? undefined : 'muted'} title={v.reason}>
                    <code>{shortName(v.name)}</code> {v.changed ? '→' : '='} {displayValue(v.name, v.value)}
                    {!v.writable && <span className="small"> (read-only here)</span>}
                  </li>
                ))}
              </ul>
              {mayChange && fillable(p.values.filter((v) => v.changed)) && (
                <button type="button" className="secondary small-button" onClick={() => onFill(p.values.filter((v) => v.changed), p.title)}>
                  Fill the form with {p.title}
                </button>
              )}
            </article>
          ))}
        </div>
      </section>
    </div>
  );
}
