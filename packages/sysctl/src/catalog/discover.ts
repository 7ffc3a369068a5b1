import { join } from 'node:path';
import { errnoCode, nodeIo, type SysctlIo } from '../io';
import { hashsizePath, netfilterDir, resolvePaths, type SysctlPaths, type SysctlPathsInput } from '../paths';
import { formatValue, parseInteger, type ParamEntry } from './entry';
import { readHostFacts } from './host-facts';
import { defaultValue, HASHSIZE_NAME, HASHSIZE_PARAM, isDerived, KNOWN_PARAMS, SYSCTL_PREFIX } from './known';
import type { HostFacts, KnownParam } from './types';

export interface ReadOptions {
  paths?: SysctlPathsInput;
  io?: SysctlIo;
}

export interface Catalog {
  paths: SysctlPaths;
  facts: HostFacts;
  /** False when <procfs>/sys/net/netfilter has no nf_conntrack_* file (module not loaded). */
  moduleLoaded: boolean;
  /** Sorted by name; hashsize (when present) last. */
  entries: ParamEntry[];
  readAt: Date;
}

const FILE_NAME = /^nf_conntrack_[a-z0-9_]+$/;

async function writableReason(io: SysctlIo, path: string, mode: number, param: KnownParam | undefined, facts: HostFacts, source: 'procfs' | 'sysfs'): Promise<string | undefined> {
  if (!param) return 'not in ctscope\'s catalog yet: shown as the raw value, read-only';
  if (param.alwaysReadOnly) return param.alwaysReadOnly;
  if (param.scope === 'global' && !facts.inInitialNetns) {
    return 'global parameter: the kernel makes it read-only inside a non-initial network namespace (a container); change it on the host';
  }
  if ((mode & 0o200) === 0) {
    return param.scope === 'global'
      ? 'global parameter: the kernel made the file read-only here (0444), as it does inside a non-initial network namespace'
      : 'the kernel exposes the file read-only here';
  }
  try {
    await io.accessWrite(path);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'EROFS') return `${source === 'procfs' ? 'procfs' : 'sysfs'} is mounted read-only here (usual in containers); mount it read-write or change it on the host`;
    if (code === 'EACCES' || code === 'EPERM') return 'no permission to write it: the agent must run as root';
    return `not writable here (${code ?? 'unknown error'})`;
  }
  return undefined;
}

async function readEntry(io: SysctlIo, facts: HostFacts, name: string, key: string, path: string, param: KnownParam | undefined, source: 'procfs' | 'sysfs'): Promise<ParamEntry | undefined> {
  let raw = '';
  let mode = 0;
  let readError: string | undefined;
  try {
    raw = (await io.readFile(path)).trim();
    mode = (await io.stat(path)).mode;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    readError = `could not be read here (${errnoCode(err) ?? 'error'}); shown without a value`;
  }
  const value = parseInteger(raw);
  const reason = readError ?? (await writableReason(io, path, mode, param, facts, source));
  const entry: ParamEntry = {
    name,
    key,
    source,
    path,
    known: param !== undefined,
    group: param?.group ?? 'unknown',
    type: param?.type ?? 'raw',
    unit: param?.unit ?? 'raw',
    description: param?.description ?? 'Not described by ctscope yet.',
    scope: param?.scope ?? 'unknown',
    raw,
    value,
    display: param && value !== null ? formatValue(param, value) : raw,
    default: null,
    defaultDisplay: null,
    writable: reason === undefined,
  };
  if (reason !== undefined) entry.readOnlyReason = reason;
  if (param) {
    const def = defaultValue(param, facts);
    entry.default = facts.memTotalBytes === 0 && isDerived(param.default) ? null : def;
    entry.defaultDisplay = entry.default === null ? null : formatValue(param, entry.default);
    if (isDerived(param.default)) entry.defaultRule = param.default.explain;
    entry.min = param.min;
    entry.max = param.max;
    if (param.rangeNote) entry.rangeNote = param.rangeNote;
    if (param.choices) entry.choices = param.choices;
  }
  return entry;
}

/**
 * Discovers every net.netfilter.nf_conntrack_* parameter the host has (plus the hashsize module
 * parameter), reads each value live and says whether this process may change it.
 */
export async function readCatalog(options: ReadOptions = {}): Promise<Catalog> {
  const paths = resolvePaths(options.paths);
  const io = options.io ?? nodeIo;
  const facts = await readHostFacts(paths, io);
  const dir = netfilterDir(paths);
  const files = (await io.readdir(dir).catch(() => [])).filter((f) => FILE_NAME.test(f)).sort();
  const entries: ParamEntry[] = [];
  for (const key of files) {
    const entry = await readEntry(io, facts, SYSCTL_PREFIX + key, key, join(dir, key), KNOWN_PARAMS.get(key), 'procfs');
    if (entry) entries.push(entry);
  }
  const hashsize = await readEntry(io, facts, HASHSIZE_NAME, 'hashsize', hashsizePath(paths), HASHSIZE_PARAM, 'sysfs');
  if (hashsize) entries.push(hashsize);
  return { paths, facts, moduleLoaded: files.length > 0, entries, readAt: new Date() };
}

export function findEntry(catalog: Catalog, name: string): ParamEntry | undefined {
  return catalog.entries.find((e) => e.name === name);
}
