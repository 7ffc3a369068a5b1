import type { Diagnosis, DiagnosisFix } from '@ctscope/protocol';
import { readSysctlState, resolvePaths, type ParamState, type SysctlPathsInput, type SysctlState } from '@ctscope/sysctl';
import type { Detector } from './detector';
import { acceptKubeProxyFix, kubeProxyAdvice, type Conflict } from './kube-proxy/advice';
import { findKubeProxies, readKubeProxySettings, type KubeProxyProcess } from './kube-proxy/process';
import type { KubeProxySettings } from './kube-proxy/settings';
import { changes, kubeProxyWrites } from './kube-proxy/writes';
import { sysctlFileDiagnosis } from './settings-set-back-files';

export interface SettingsSetBackDeps {
  /** Where procfs, sysfs and the host's files are (the agent's --path.* options); tests point them at temporary roots. */
  paths?: SysctlPathsInput;
  /** The sysctl state (runtime, persisted, ctscope's own lines); default readSysctlState({ paths }). */
  readState?: () => Promise<SysctlState>;
  /** Processes and sysctl files are re-read at most this often (ms); default 30 s. */
  refreshMs?: number;
}

interface Found {
  proc: KubeProxyProcess;
  settings: KubeProxySettings;
}

const MEANING =
  'kube-proxy writes its own conntrack settings (nf_conntrack_max from its per-core flag, the hash size, TCP and UDP timeouts) every time it starts, over whatever the node had. ' +
  "The values below differ from the ones in force or persisted by ctscope, so the next kube-proxy restart (an upgrade, a node reboot, a crash) silently sets them back.";

const show = (value: number | null | undefined): string => (value === null || value === undefined ? 'unknown' : String(value));

function kubeProxyDiagnosis(found: Found, state: SysctlState, since: number): Diagnosis | null {
  const { proc, settings } = found;
  const params = new Map<string, ParamState>(state.params.map((p) => [p.name, p]));
  const conflicts: Conflict[] = [];
  const facts: Diagnosis['evidence']['facts'] = [];
  for (const write of kubeProxyWrites(settings, state.catalog.facts.cpus)) {
    const param = params.get(write.name);
    if (!param || param.value === null) continue;
    const persisted = param.ctscope?.value ?? null;
    const differsNow = changes(write, param.value);
    const differsPersisted = persisted !== null && changes(write, persisted);
    if (!differsNow && !differsPersisted) continue;
    conflicts.push({ write, wanted: persisted ?? param.value });
    const ours = param.ctscope ? `; ctscope persists ${show(persisted)} (${param.ctscope.file}:${param.ctscope.line})` : '';
    facts.push({ label: write.name, value: `kube-proxy sets ${write.value} (${write.because}); now ${param.value}${ours}`.slice(0, 300) });
  }
  if (conflicts.length === 0) return null;
  facts.push({ label: 'kube-proxy', value: `pid ${proc.pid}: ${proc.argv.join(' ')}`.slice(0, 300) });
  if (settings.configFile) facts.push({ label: 'config file', value: `${settings.configFile} (kube-proxy ignores its conntrack flags when it has one)` });
  for (const problem of settings.problems.slice(0, 2)) facts.push({ label: 'not understood', value: problem.slice(0, 300) });
  const fixes: DiagnosisFix[] = [kubeProxyAdvice(proc.pid, settings.configFile, conflicts)];
  const accept = acceptKubeProxyFix(conflicts, new Map([...params].map(([name, p]) => [name, p.value ?? Number.NaN])));
  if (accept) fixes.push(accept);
  return {
    name: 'settings-set-back',
    id: `settings-set-back:kube-proxy:${proc.pid}`,
    title: `kube-proxy will set back ${conflicts.length} conntrack setting${conflicts.length === 1 ? '' : 's'} when it restarts`,
    severity: 'warning',
    since,
    meaning: MEANING,
    evidence: { facts: facts.slice(0, 20), query: null, examples: [] },
    fixes,
  };
}

/**
 * Settings that will be set back: (a) kube-proxy running on this host (found from /proc: comm and
 * cmdline, its flags or its --config file) would write conntrack values other than the ones in force or
 * persisted by ctscope; (b) a sysctl file applied after ctscope's own at boot sets a key ctscope
 * persisted to another value (the sysctl package's `overriddenBy`).
 */
export function createSettingsSetBackDetector(deps: SettingsSetBackDeps = {}): Detector {
  const procfs = resolvePaths(deps.paths).procfs;
  const readState = deps.readState ?? (() => readSysctlState(deps.paths ? { paths: deps.paths } : {}));
  const refreshMs = deps.refreshMs ?? 30_000;
  let cached: { at: number; state: SysctlState; found: Found[] } | null = null;
  const since = new Map<string, number>();

  const refresh = async (now: number) => {
    if (cached && now - cached.at < refreshMs) return cached;
    const [state, procs] = await Promise.all([readState(), findKubeProxies(procfs)]);
    const found = await Promise.all(procs.map(async (proc) => ({ proc, settings: await readKubeProxySettings(procfs, proc) })));
    cached = { at: now, state, found };
    return cached;
  };

  return {
    name: 'settings-set-back',
    async evaluate(now) {
      const { state, found } = await refresh(now);
      const out: Diagnosis[] = [];
      const firstSeen = (id: string) => since.get(id) ?? now;
      for (const f of found) {
        const d = kubeProxyDiagnosis(f, state, firstSeen(`settings-set-back:kube-proxy:${f.proc.pid}`));
        if (d) out.push(d);
      }
      const files = sysctlFileDiagnosis(state, firstSeen('settings-set-back:sysctl-files'));
      if (files) out.push(files);
      for (const id of [...since.keys()]) if (!out.some((d) => d.id === id)) since.delete(id);
      for (const d of out) since.set(d.id, d.since);
      return out;
    },
  };
}
