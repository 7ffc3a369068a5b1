'use client';

import type { SysctlPreview } from '@ctscope/protocol';
import type { ReactNode } from 'react';
import { formatCount, formatPercent } from '../format';
import { sysctlCommands, sysctlFileContent } from './commands';
import { CopyBlock } from './copy-block';
import { shortName } from './drafts';
import { SampleTable } from './sample-table';

interface Props {
  preview: SysctlPreview;
  freeIdle: boolean;
  onFreeIdle(value: boolean): void;
  busy: boolean;
  mayChange: boolean;
  onApply(): void;
  onCancel(): void;
  /** Shown above the Apply button: the "undo unless confirmed" choice. */
  applyOptions?: ReactNode;
}

/** What a change would do: before → after, memory of a new max, idle entries a lowered timeout leaves behind. */
export function PreviewPanel({ preview, freeIdle, onFreeIdle, busy, mayChange, onApply, onCancel, applyOptions }: Props) {
  const changed = preview.items.filter((i) => !i.unchanged);
  const idle = preview.timeouts.filter((t) => t.previewable && t.idleLonger > 0);
  const values = changed.map((i) => ({ name: i.name, value: i.after }));
  return (
    <section className="panel preview" aria-labelledby="preview-title">
      <h2 id="preview-title">Preview</h2>
      <table className="data-table preview-items">
        <thead>
          <tr>
            <th>Parameter</th>
            <th>Before</th>
            <th />
            <th>After</th>
            <th>Scope</th>
          </tr>
        </thead>
        <tbody>
          {preview.items.map((i) => (
            <tr key={i.name} data-preview={i.name}>
              <td>
                <code>{shortName(i.name)}</code>
              </td>
              <td>
                {i.beforeDisplay} <span className="muted small">({i.before})</span>
              </td>
              <td>→</td>
              <td>
                <strong>{i.afterDisplay}</strong> <span className="muted small">({i.after})</span>
                {i.unchanged && <span className="muted small"> unchanged</span>}
              </td>
              <td className="small">{i.scope === 'netns' ? 'per-namespace' : i.scope}</td>
            </tr>
          ))}
        </tbody>
      </table>

      {preview.max && (
        <div className="max-preview">
          <h3>New table size</h3>
          <p>{preview.max.message}</p>
          <p className="small muted">
            Memory when full: {preview.max.memory} (now {preview.max.currentMemory}) · average chain length {preview.max.chainLength.toFixed(1)} · current usage {formatPercent(preview.max.usagePercent)} · headroom{' '}
            {formatCount(preview.max.headroom)} entries
          </p>
          {preview.max.warnings.map((w) => (
            <p key={w} className="notice-warn small">
              {w}
            </p>
          ))}
        </div>
      )}

      {preview.timeouts.map((t) => (
        <div key={t.name} className="timeout-preview" data-timeout={t.name}>
          <h3>
            <code>{shortName(t.name)}</code>
          </h3>
          <p className={t.idleLonger > 0 ? 'notice-warn' : 'muted'}>{t.message}</p>
          {!t.previewable && t.reason && <p className="small muted">{t.reason}</p>}
          {t.idleLonger > 0 && <SampleTable rows={t.sample} total={t.idleLonger} label={`idle entries for ${shortName(t.name)}`} />}
        </div>
      ))}

      {idle.length > 0 && mayChange && (
        <label className="check free-idle">
          <input type="checkbox" checked={freeIdle} onChange={(e) => onFreeIdle(e.target.checked)} />
          Free them in the same change (delete the {formatCount(idle.reduce((n, t) => n + t.idleLonger, 0))} idle entries counted above)
        </label>
      )}

      {values.length > 0 && (
        <div className="copy-pair">
          <CopyBlock title="As commands" text={`${sysctlCommands(values).join('\n')}\n`} />
          <CopyBlock title="As a sysctl.d file" text={sysctlFileContent(values)} />
        </div>
      )}

      {mayChange && applyOptions}
      <div className="form-actions">
        {mayChange && (
          <button type="button" onClick={onApply} disabled={busy || changed.length === 0}>
            {busy ? 'Applying…' : `Apply ${changed.length} change${changed.length === 1 ? '' : 's'}`}
          </button>
        )}
        <button type="button" className="secondary" onClick={onCancel} disabled={busy}>
          Close preview
        </button>
      </div>
    </section>
  );
}
