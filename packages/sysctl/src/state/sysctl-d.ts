import { join } from 'node:path';
import type { SysctlIo } from '../io';
import { sysctlConfPath, sysctlSearchDirs, type SysctlPaths } from '../paths';

/** One `key = value` line of a sysctl configuration file. */
export interface Assignment {
  /** Dotted key as written (slashes converted), may contain globs. */
  key: string;
  value: string;
  file: string;
  /** 1-based. */
  line: number;
  /** A leading "-": errors setting it are ignored at boot. */
  ignoreErrors: boolean;
}

/** sysctl(8): when the first separator is "/", slashes separate and dots are part of names. */
export function normaliseKey(key: string): string {
  const slash = key.indexOf('/');
  const dot = key.indexOf('.');
  if (slash === -1 || (dot !== -1 && dot < slash)) return key;
  return key.replace(/[./]/g, (c) => (c === '/' ? '.' : '/'));
}

/** Parses sysctl.d syntax: "#" and ";" comments, `key = value`, optional leading "-". Never throws. */
export function parseSysctlConf(text: string, file: string): Assignment[] {
  const out: Assignment[] = [];
  text.split('\n').forEach((rawLine, i) => {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const eq = line.indexOf('=');
    if (eq <= 0) return;
    let key = line.slice(0, eq).trim();
    const ignoreErrors = key.startsWith('-');
    if (ignoreErrors) key = key.slice(1).trim();
    if (key === '') return;
    out.push({ key: normaliseKey(key), value: line.slice(eq + 1).trim(), file, line: i + 1, ignoreErrors });
  });
  return out;
}

/** Does a (possibly globbed) key set this name? systemd-sysctl accepts fnmatch patterns. */
export function keyMatches(key: string, name: string): boolean {
  if (!/[*?[]/.test(key)) return key === name;
  const re = key.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  try {
    return new RegExp(`^${re}$`).test(name);
  } catch {
    return false;
  }
}

export interface PersistedConfig {
  /** Files in the order they are applied at boot (a later file overrides an earlier one). */
  files: string[];
  assignments: Assignment[];
}

/**
 * Reads every sysctl configuration file as `sysctl --system` would apply it: *.conf from the
 * sysctl.d directories (a name in /etc masks the same name in /run and /usr/lib), sorted by file
 * name, then /etc/sysctl.conf unless already read through a link. Read-only.
 */
export async function readPersistedConfig(paths: SysctlPaths, io: SysctlIo): Promise<PersistedConfig> {
  const byName = new Map<string, string>();
  for (const dir of sysctlSearchDirs(paths)) {
    const names = await io.readdir(dir).catch(() => []);
    for (const name of names) if (name.endsWith('.conf') && !byName.has(name)) byName.set(name, join(dir, name));
  }
  const ordered = [...byName.keys()].sort().map((n) => byName.get(n) ?? n);
  ordered.push(sysctlConfPath(paths));
  const seen = new Set<string>();
  const files: string[] = [];
  const assignments: Assignment[] = [];
  for (const file of ordered) {
    const real = await io.realpath(file).catch(() => undefined);
    if (real === undefined || seen.has(real)) continue;
    seen.add(real);
    const text = await io.readFile(file).catch(() => undefined);
    if (text === undefined) continue;
    files.push(file);
    assignments.push(...parseSysctlConf(text, file));
  }
  return { files, assignments };
}

/** The assignment that wins at boot for a name (the last one that matches), if any. */
export function effectiveAssignment(config: PersistedConfig, name: string): Assignment | undefined {
  let found: Assignment | undefined;
  for (const a of config.assignments) if (keyMatches(a.key, name)) found = a;
  return found;
}

/** The assignment for a name in one file (the last in that file). */
export function assignmentInFile(config: PersistedConfig, file: string, name: string): Assignment | undefined {
  let found: Assignment | undefined;
  for (const a of config.assignments) if (a.file === file && keyMatches(a.key, name)) found = a;
  return found;
}
