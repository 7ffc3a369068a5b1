import { readCatalog, type Catalog, type ReadOptions } from '../catalog/discover';
import { formatValue, parseInteger, type ParamEntry } from '../catalog/entry';
import { knownParamForName } from '../catalog/known';
import { nodeIo } from '../io';
import { ctscopeSysctlPath } from '../paths';
import { findEarlyModuleLoad } from './modules-load';
import { assignmentInFile, effectiveAssignment, readPersistedConfig, type Assignment, type PersistedConfig } from './sysctl-d';

export interface PersistedValue {
  file: string;
  line: number;
  raw: string;
  value: number | null;
}

export interface Drift {
  /** Runtime against the value applied at boot (none: no file sets it). */
  runtimeVsPersisted: 'same' | 'differs' | 'not-persisted' | 'unknown';
  runtimeVsDefault: 'default' | 'changed' | 'unknown';
  /** One sentence for people. */
  summary: string;
}

export interface ParamState extends ParamEntry {
  /** The value the host applies at boot (last file that sets it), if any. */
  persisted: PersistedValue | null;
  /** ctscope's own line in 90-ctscope.conf, if any. */
  ctscope: PersistedValue | null;
  /** Set when ctscope's line is overridden at boot by a file read later. */
  overriddenBy: PersistedValue | null;
  drift: Drift;
}

export interface SysctlState {
  catalog: Catalog;
  params: ParamState[];
  /** sysctl files read, in the order they apply at boot. */
  persistedFiles: string[];
  /** File that loads nf_conntrack early at boot; null means persisted values are lost at boot. */
  earlyModuleLoad: string | null;
}

function toPersisted(a: Assignment | undefined): PersistedValue | null {
  return a ? { file: a.file, line: a.line, raw: a.value, value: parseInteger(a.value) } : null;
}

function show(entry: ParamEntry, value: number): string {
  const param = knownParamForName(entry.name);
  return param ? formatValue(param, value) : String(value);
}

export function computeDrift(entry: ParamEntry, persisted: PersistedValue | null, earlyLoad: boolean): Drift {
  const runtime = entry.value;
  const runtimeVsDefault = runtime === null || entry.default === null ? 'unknown' : runtime === entry.default ? 'default' : 'changed';
  let runtimeVsPersisted: Drift['runtimeVsPersisted'] = 'not-persisted';
  if (persisted) runtimeVsPersisted = runtime === null || persisted.value === null ? 'unknown' : runtime === persisted.value ? 'same' : 'differs';
  const now = runtime === null ? entry.raw : show(entry, runtime);
  let summary: string;
  if (runtimeVsPersisted === 'differs' && persisted?.value != null) {
    summary = `runtime ${now} differs from ${show(entry, persisted.value)} persisted in ${persisted.file}:${persisted.line}; a reboot would bring that back`;
  } else if (runtimeVsPersisted === 'same') {
    summary = `runtime matches ${persisted?.file}:${persisted?.line}`;
  } else if (runtimeVsDefault === 'changed' && entry.default !== null) {
    summary = `changed from the kernel default (${show(entry, entry.default)}) but not persisted: a reboot brings the default back`;
  } else if (runtimeVsDefault === 'default') {
    summary = 'kernel default';
  } else {
    summary = persisted ? `persisted value ${JSON.stringify(persisted.raw)} is not a number` : 'no kernel default known';
  }
  if (persisted && !earlyLoad && entry.source === 'procfs') summary += '; nf_conntrack is not loaded early at boot, so persisted values may be lost';
  return { runtimeVsPersisted, runtimeVsDefault, summary };
}

export function stateFromParts(catalog: Catalog, config: PersistedConfig, earlyModuleLoad: string | null): SysctlState {
  const ours = ctscopeSysctlPath(catalog.paths);
  const params = catalog.entries.map((entry): ParamState => {
    const isSysctl = entry.source === 'procfs';
    const persisted = isSysctl ? toPersisted(effectiveAssignment(config, entry.name)) : null;
    const ctscope = isSysctl ? toPersisted(assignmentInFile(config, ours, entry.name)) : null;
    const overriddenBy = ctscope && persisted && persisted.file !== ours ? persisted : null;
    return { ...entry, persisted, ctscope, overriddenBy, drift: computeDrift(entry, persisted, earlyModuleLoad !== null) };
  });
  return { catalog, params, persistedFiles: config.files, earlyModuleLoad };
}

/** Everything the tuning page shows: live values, persisted values and drift per parameter. */
export async function readSysctlState(options: ReadOptions = {}): Promise<SysctlState> {
  const io = options.io ?? nodeIo;
  const catalog = await readCatalog(options);
  const config = await readPersistedConfig(catalog.paths, io);
  const early = await findEarlyModuleLoad(catalog.paths, io);
  return stateFromParts(catalog, config, early ?? null);
}
