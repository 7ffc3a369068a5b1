import { basename } from 'node:path';
import { z } from 'zod';
import { readCatalog, findEntry, type ReadOptions } from '../catalog/discover';
import { HASHSIZE_NAME, knownParamForName } from '../catalog/known';
import { fieldPath, SysctlValidationError, type FieldIssue } from '../change/errors';
import { SysctlNameSchema, SysctlValueSchema } from '../change/schema';
import { checkValue } from '../change/value';
import { nodeIo, type SysctlIo } from '../io';
import { CTSCOPE_SYSCTL_FILE, ctscopeSysctlPath, modulesLoadPath, sysctlConfPath, type SysctlPaths } from '../paths';
import { keyMatches, parseSysctlConf, readPersistedConfig, type Assignment } from '../state/sysctl-d';
import { unifiedDiff } from './diff';
import { renderModulesLoadFile, renderSysctlFile, type PersistedSetting } from './render';

export const PersistRequestSchema = z.strictObject({
  /** Values to persist; null removes a parameter from 90-ctscope.conf. */
  values: z
    .array(z.strictObject({ name: SysctlNameSchema, value: z.union([SysctlValueSchema, z.null()]) }))
    .max(64, 'lists too many parameters: at most 64')
    .refine((list) => new Set(list.map((v) => v.name)).size === list.length, { error: 'names a parameter more than once: give each parameter one value' }),
  /** merge (default): keep what the file already persists; replace: the file holds exactly `values`. */
  mode: z.enum(['merge', 'replace']).default('merge'),
});
export type PersistRequest = z.input<typeof PersistRequestSchema>;

export interface FilePlan {
  path: string;
  /** Current content, null when the file does not exist. */
  before: string | null;
  after: string;
  /** Unified diff before → after; empty when unchanged. */
  diff: string;
  changed: boolean;
}

export interface PersistPlan {
  paths: SysctlPaths;
  /** What 90-ctscope.conf will hold. */
  settings: PersistedSetting[];
  sysctl: FilePlan;
  modules: FilePlan;
  /** Things the operator should know before saving (nothing here blocks the save). */
  warnings: string[];
}

/** The last assignment of `name` in a file applied after 90-ctscope.conf at boot, if any. */
function laterOverride(assignments: readonly Assignment[], paths: SysctlPaths, name: string): Assignment | undefined {
  let found: Assignment | undefined;
  for (const a of assignments) {
    const base = basename(a.file);
    const after = a.file === sysctlConfPath(paths) || (base > CTSCOPE_SYSCTL_FILE && base !== CTSCOPE_SYSCTL_FILE);
    if (after && keyMatches(a.key, name)) found = a;
  }
  return found;
}

async function filePlan(io: SysctlIo, path: string, after: string): Promise<FilePlan> {
  const before = await io.readFile(path).catch(() => null);
  const diff = unifiedDiff(before, after, path);
  return { path, before, after, diff, changed: before !== after };
}

/**
 * Validates values to persist and renders the new 90-ctscope.conf and modules-load.d/ctscope.conf
 * with their diffs against what is on disk. Writes nothing: show the diff, then writePersistPlan().
 */
export async function planPersist(input: unknown, options: ReadOptions = {}): Promise<PersistPlan> {
  const parsed = PersistRequestSchema.safeParse(input);
  if (!parsed.success) throw new SysctlValidationError(parsed.error.issues.map((i) => ({ field: fieldPath(i.path), message: i.message })));
  const io = options.io ?? nodeIo;
  const catalog = await readCatalog(options);
  const ourPath = ctscopeSysctlPath(catalog.paths);
  const current = new Map<string, number>();
  if (parsed.data.mode === 'merge') {
    const text = await io.readFile(ourPath).catch(() => '');
    for (const a of parseSysctlConf(text, ourPath)) {
      const value = Number(a.value);
      if (knownParamForName(a.key) && Number.isSafeInteger(value) && /^-?\d+$/.test(a.value)) current.set(a.key, value);
    }
  }
  const issues: FieldIssue[] = [];
  const warnings: string[] = [];
  parsed.data.values.forEach((v, i) => {
    const field = `values[${i}]`;
    const param = knownParamForName(v.name);
    if (v.name === HASHSIZE_NAME) return void issues.push({ field: `${field}.name`, message: 'hashsize is a module parameter, not a sysctl: persist net.netfilter.nf_conntrack_buckets instead' });
    if (!param) return void issues.push({ field: `${field}.name`, message: `${v.name} is not in ctscope's catalog: ctscope persists only parameters it knows` });
    if (param.alwaysReadOnly) return void issues.push({ field: `${field}.name`, message: `${v.name} cannot be set: ${param.alwaysReadOnly}` });
    if (v.value === null) return void current.delete(v.name);
    const checked = checkValue(param, v.value);
    if (!checked.ok) return void issues.push({ field: `${field}.value`, message: `${v.name}: ${checked.message}` });
    if (!findEntry(catalog, v.name)) warnings.push(`${v.name} does not exist on this host now; the line will have no effect until it does`);
    current.set(v.name, checked.value);
  });
  if (issues.length > 0) throw new SysctlValidationError(issues);
  const settings = [...current].map(([name, value]) => ({ name, value }));
  const config = await readPersistedConfig(catalog.paths, io);
  for (const s of settings) {
    const winner = laterOverride(config.assignments, catalog.paths, s.name);
    if (winner) warnings.push(`${s.name} is also set in ${winner.file}:${winner.line}, which is applied after 90-ctscope.conf and wins at boot`);
  }
  return {
    paths: catalog.paths,
    settings,
    sysctl: await filePlan(io, ourPath, renderSysctlFile(settings)),
    modules: await filePlan(io, modulesLoadPath(catalog.paths), renderModulesLoadFile()),
    warnings,
  };
}
