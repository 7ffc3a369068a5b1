import type { SysctlApplyResult, SysctlParam, SysctlPersistPreview, SysctlPreview } from '@ctscope/protocol';
import { formatValue, knownParamForName } from '@ctscope/sysctl';
import type { UndoTarget } from '../live/sysctl-undo';

/** A value for people, as the tuning page shows it: "1 hour (3600)", "262,144 entries". */
export function show(name: string, value: number | null): string {
  if (value === null) return 'unknown';
  const param = knownParamForName(name);
  const text = param ? formatValue(param, value) : String(value);
  return text === String(value) ? text : `${text} (${value})`;
}

/** `get`: one parameter in three lines: value, default / persisted / scope, drift. */
export function formatParam(p: SysctlParam): string {
  const value = p.value === null ? `${p.raw} (not a number)` : show(p.name, p.value);
  const persisted = p.persisted ? `persisted ${show(p.name, p.persisted.value)} in ${p.persisted.file}:${p.persisted.line}` : 'not persisted';
  const scope = p.scope === 'netns' ? 'per-namespace' : p.scope;
  const access = p.writable ? `${scope}, writable` : `${scope}, read-only: ${p.readOnlyReason ?? 'not writable here'}`;
  const defaultText = p.default === null ? 'default unknown' : `default ${show(p.name, p.default)}`;
  return `${p.name} = ${value}\n    ${defaultText} · ${persisted} · ${access}\n    ${p.drift.summary}`;
}

/** `set --dry-run`: the diff, then what the kernel will and will not do with it. */
export function formatPreview(preview: SysctlPreview): string {
  const lines = preview.items.map((i) => `${i.name}: ${i.beforeDisplay} → ${i.afterDisplay}${i.unchanged ? ' (unchanged)' : ''}`);
  for (const t of preview.timeouts) lines.push(`  ${t.name}: ${t.message}${t.idleLonger > 0 ? ' (add --free-idle to delete them in the same change)' : ''}`);
  if (preview.max) lines.push(`  ${preview.max.message}`, ...preview.max.warnings.map((w) => `  warning: ${w}`));
  return lines.join('\n');
}

export function formatApplied(result: SysctlApplyResult): string {
  const lines = result.applied.map((a) => `${a.name}: ${show(a.name, a.before)} → ${show(a.name, a.after)} (read back)`);
  if (result.freed > 0) lines.push(`freed ${result.freed} idle entries`);
  return lines.join('\n');
}

export function formatUndo(target: UndoTarget): string {
  const head = `the change of ${target.time} by ${target.user} (via ${target.via}):`;
  return [head, ...target.changes.map((c) => `  ${c.name}: ${show(c.name, c.left)} → back to ${show(c.name, c.back)}`)].join('\n');
}

export function formatPersistPreview(preview: SysctlPersistPreview): string {
  const file = (f: SysctlPersistPreview['sysctl']) => (f.changed ? f.diff.trimEnd() : `${f.path}: unchanged`);
  return [file(preview.sysctl), file(preview.modules), ...preview.warnings.map((w) => `warning: ${w}`)].join('\n');
}
