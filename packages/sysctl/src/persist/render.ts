import { formatValue } from '../catalog/entry';
import { knownParamForName } from '../catalog/known';

export interface PersistedSetting {
  name: string;
  value: number;
}

export const SYSCTL_FILE_HEADER = [
  '# Managed by ctscope: net.netfilter.nf_conntrack_* values applied at boot by systemd-sysctl.',
  '# Change them through ctscope; edits made here by hand are replaced on the next save.',
  '# nf_conntrack is loaded early (modules-load.d/ctscope.conf) so that these values really apply.',
];

/** The content of 90-ctscope.conf for these settings: sorted by name, each with its value for people. */
export function renderSysctlFile(settings: readonly PersistedSetting[]): string {
  const lines = [...SYSCTL_FILE_HEADER];
  for (const s of [...settings].sort((a, b) => a.name.localeCompare(b.name))) {
    const param = knownParamForName(s.name);
    lines.push('');
    if (param) lines.push(`# ${formatValue(param, s.value)}`);
    lines.push(`${s.name} = ${s.value}`);
  }
  return `${lines.join('\n')}\n`;
}

/** modules-load.d/ctscope.conf: loads nf_conntrack before systemd-sysctl runs. */
export function renderModulesLoadFile(): string {
  return [
    '# Managed by ctscope: load nf_conntrack early at boot, before systemd-sysctl applies',
    '# sysctl.d/90-ctscope.conf (its net.netfilter.nf_conntrack_* keys exist only once the module is loaded).',
    'nf_conntrack',
    '',
  ].join('\n');
}
