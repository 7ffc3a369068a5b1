'use client';

import type { SysctlParam } from '@ctscope/protocol';
import { displayValue, shortName } from './drafts';
import { ValueEditor } from './value-editor';

interface Props {
  param: SysctlParam;
  draft: string | undefined;
  onDraft(name: string, text: string): void;
  mayChange: boolean;
}

function rangeText(param: SysctlParam): string {
  if (param.choices) return param.choices.map((c) => c.label).join(' · ');
  if (param.min === undefined || param.max === undefined) return '—';
  return `${displayValue(param.name, param.min)} – ${displayValue(param.name, param.max)}`;
}

function driftLevel(param: SysctlParam): 'same' | 'changed' | 'differs' {
  if (param.drift.runtimeVsPersisted === 'differs') return 'differs';
  if (param.drift.runtimeVsDefault === 'changed') return 'changed';
  return 'same';
}

/** One parameter: what it is, its value, default, range, scope and drift, and its edit control. */
export function ParamRow({ param, draft, onDraft, mayChange }: Props) {
  const persisted = param.persisted;
  return (
    <tr data-param={param.name}>
      <td className="param-name">
        <code title={param.name}>{shortName(param.name)}</code>
        <span className="param-description" title={param.description}>
          {param.description}
        </span>
      </td>
      <td className="param-value" data-testid={`value-${shortName(param.name)}`}>
        <strong>{param.known ? param.display : param.raw}</strong>
        {param.unit === 'seconds' && param.value !== null && <span className="muted small"> {param.value} s</span>}
      </td>
      <td className="muted" title={param.defaultRule}>
        {param.defaultDisplay ?? '—'}
      </td>
      <td className="muted small" title={param.rangeNote}>
        {rangeText(param)}
      </td>
      <td>
        <span className={`scope scope-${param.scope}`} title={param.scope === 'global' ? 'one value for the whole kernel' : 'each network namespace has its own value'}>
          {param.scope === 'netns' ? 'per-namespace' : param.scope}
        </span>
      </td>
      <td className="small">
        {/* The entry count is a status value: it drifts from its "default" all the time. */}
        {param.key === 'nf_conntrack_count' ? <span className="muted">—</span> : <span className={`drift drift-${driftLevel(param)}`}>{param.drift.summary}</span>}
        {persisted && !param.drift.summary.includes(persisted.file) && (
          <span className="muted small persisted-at">
            {' '}
            ({persisted.file}:{persisted.line})
          </span>
        )}
        {param.overriddenBy && <span className="muted small"> overridden by {param.overriddenBy.file}</span>}
      </td>
      <td className="param-edit">
        {!param.writable ? (
          <span className="read-only" title={param.readOnlyReason}>
            <span className="badge badge-readonly">read-only</span> <span className="small muted">{param.readOnlyReason ?? (param.known ? '' : 'not in the catalog: shown raw')}</span>
          </span>
        ) : mayChange ? (
          <ValueEditor param={param} draft={draft} onDraft={onDraft} />
        ) : null}
      </td>
    </tr>
  );
}
