import { lstatSync, readFileSync, readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, parse } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The agent runs as root: whoever can change a file it loads, or rename a directory on the way to it,
 * runs code as root. This finds such a file among the agent's own code, its dependencies and the node
 * binary, so the agent can refuse to start naming it.
 */

/** Why a non-root user could change this path, or undefined. Root-owned, not writable by group (unless root's) or others. */
export function writableByOthers(info: Stats): string | undefined {
  if (info.uid !== 0) return `it belongs to uid ${info.uid}, not root`;
  if ((info.mode & 0o002) !== 0 && !(info.isDirectory() && (info.mode & 0o1000) !== 0)) return 'every user may write it';
  if ((info.mode & 0o020) !== 0 && info.gid !== 0 && !(info.isDirectory() && (info.mode & 0o1000) !== 0)) return `group ${info.gid} may write it`;
  return undefined;
}

export interface UntrustedPath {
  path: string;
  reason: string;
}

/** The directories from `path`'s parent up to /, checked once each. */
function checkAncestors(path: string, checked: Set<string>): UntrustedPath | undefined {
  let dir = dirname(path);
  for (;;) {
    if (!checked.has(dir)) {
      checked.add(dir);
      const reason = writableByOthers(statSync(dir));
      if (reason) return { path: dir, reason };
    }
    if (dir === parse(dir).root) return undefined;
    dir = dirname(dir);
  }
}

/** Every file and directory under `dir` (symbolic links are checked as links, and followed by their own package). */
function checkTree(dir: string, checked: Set<string>, skipTopNodeModules: boolean): UntrustedPath | undefined {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skipTopNodeModules && entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    const info = lstatSync(path);
    if (!checked.has(path)) {
      checked.add(path);
      // A link's own mode means nothing; who owns it (and its directory) decides who may repoint it.
      const reason = info.isSymbolicLink() ? (info.uid === 0 ? undefined : `it belongs to uid ${info.uid}, not root`) : writableByOthers(info);
      if (reason) return { path, reason };
    }
    if (info.isDirectory()) {
      const inner = checkTree(path, checked, false);
      if (inner) return inner;
    }
  }
  return undefined;
}

function packageDirOf(file: string): string {
  let dir = dirname(file);
  while (dir !== parse(dir).root) {
    try {
      statSync(join(dir, 'package.json'));
      return dir;
    } catch {
      dir = dirname(dir);
    }
  }
  return dirname(file);
}

/** The directory of an installed dependency as Node resolves it from `fromDir`, or undefined when not installed (optional ones). */
function resolvePackage(fromDir: string, name: string): string | undefined {
  const require = createRequire(join(fromDir, 'package.json'));
  for (const base of require.resolve.paths(name) ?? []) {
    try {
      return realpathSync(join(base, name));
    } catch {
      // not in this node_modules
    }
  }
  return undefined;
}

/** The package the agent's code lives in and, transitively, every package it depends on. */
export function agentPackageDirs(codeFile = fileURLToPath(import.meta.url)): string[] {
  const dirs: string[] = [];
  const visit = (dir: string) => {
    if (dirs.includes(dir)) return;
    dirs.push(dir);
    let manifest: { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> } = {};
    try {
      manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as typeof manifest;
    } catch {
      return;
    }
    for (const name of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) {
      const found = resolvePackage(dir, name);
      if (found) visit(found);
    }
  };
  visit(packageDirOf(realpathSync(codeFile)));
  return dirs;
}

/**
 * The first path of the agent's code (node binary, the launcher, its package and dependencies, each with
 * its directories up to /) that a non-root user could change, or undefined when all are root's alone.
 */
export function findUntrustedCode(options: { node?: string; launcher?: string; packageDirs?: string[] } = {}): UntrustedPath | undefined {
  const checked = new Set<string>();
  const files = [options.node ?? process.execPath, options.launcher ?? process.argv[1]].filter((f): f is string => Boolean(f)).map((f) => realpathSync(f));
  for (const file of files) {
    const reason = writableByOthers(statSync(file));
    if (reason) return { path: file, reason };
    const above = checkAncestors(file, checked);
    if (above) return above;
  }
  for (const dir of options.packageDirs ?? agentPackageDirs()) {
    const above = checkAncestors(join(dir, 'package.json'), checked);
    if (above) return above;
    const inside = checkTree(dir, checked, true);
    if (inside) return inside;
  }
  return undefined;
}

/** The first of `file` (followed through links) and its directories up to / that a non-root user could change. */
export function findUntrustedFile(file: string): UntrustedPath | undefined {
  const real = realpathSync(file);
  const reason = writableByOthers(statSync(real));
  return reason ? { path: real, reason } : checkAncestors(real, new Set());
}

/** The refusal the agent prints: which path, why, and what to do. */
export function untrustedCodeMessage(found: UntrustedPath): string {
  return (
    `refusing to run as root from ${found.path}: ${found.reason}, so a user other than root could change code this agent runs. ` +
    'Install ctscope where only root can write (the package, or a checkout owned by root), or fix it: ' +
    `chown root:root ${found.path} && chmod go-w ${found.path}`
  );
}
