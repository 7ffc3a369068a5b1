import type { Diagnosis, DiagnosisFix } from '@ctscope/protocol';
import type { ParamState, SysctlState } from '@ctscope/sysctl';

const MEANING =
  'At boot the sysctl files are applied in order (sorted by name across /etc/sysctl.d, /run/sysctl.d, /usr/lib/sysctl.d, then /etc/sysctl.conf), and the last file that sets a key wins. ' +
  "Another file read after ctscope's own 90-ctscope.conf sets these keys to other values, so the next boot silently undoes the tuning ctscope persisted.";

/** ctscope persisted a value, but a file applied later at boot sets another one. */
function overridden(p: ParamState): p is ParamState & { ctscope: NonNullable<ParamState['ctscope']>; overriddenBy: NonNullable<ParamState['overriddenBy']> } {
  return p.ctscope !== null && p.overriddenBy !== null && p.overriddenBy.value !== p.ctscope.value;
}

/**
 * The "someone else's sysctl file wins at boot" diagnosis, from the sysctl package's `overriddenBy`
 * (one diagnosis for all such keys), or null when ctscope's persisted values all survive a reboot.
 */
export function sysctlFileDiagnosis(state: SysctlState, since: number): Diagnosis | null {
  const params = state.params.filter(overridden);
  if (params.length === 0) return null;
  const facts = params.slice(0, 19).map((p) => ({
    label: p.name,
    value: `ctscope persists ${p.ctscope.raw} (${p.ctscope.file}:${p.ctscope.line}), but ${p.overriddenBy.file}:${p.overriddenBy.line} sets ${p.overriddenBy.raw} later at boot and wins; now ${p.raw}`,
  }));
  facts.push({ label: 'files in boot order', value: state.persistedFiles.join(', ').slice(0, 300) });
  const byFile = new Map<string, typeof params>();
  for (const p of params) byFile.set(p.overriddenBy.file, [...(byFile.get(p.overriddenBy.file) ?? []), p]);
  const fixes: DiagnosisFix[] = [...byFile].slice(0, 5).map(([file, ps]) => ({
    kind: 'advice',
    label: `Edit ${file}`,
    text: ps
      .map((p) => `Line ${p.overriddenBy.line}: remove "${p.name} = ${p.overriddenBy.raw}", or change it to "${p.name} = ${p.ctscope.raw}".`)
      .join('\n')
      .concat(`\nThen check with: sysctl --system (it prints each file as it applies it).`)
      .slice(0, 2_000),
    tradeoff: 'The other file may belong to a package or a configuration tool that writes it again; change the value at its source too.',
  }));
  const files = [...byFile.keys()];
  return {
    name: 'settings-set-back',
    id: 'settings-set-back:sysctl-files',
    title: `${files.join(', ')} set${files.length === 1 ? 's' : ''} back ${params.length} value${params.length === 1 ? '' : 's'} ctscope persisted, at every boot`,
    severity: 'warning',
    since,
    meaning: MEANING,
    evidence: { facts, query: null, examples: [] },
    fixes,
  };
}
