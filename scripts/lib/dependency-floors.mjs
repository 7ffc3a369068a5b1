// The lowest version of each package we accept anywhere in node_modules, and why. `npm test` fails
// when an installed copy (top level or nested) is older: a lockfile or a hoisting change can bring back
// a version with a known hole even when our own package.json ranges look fine.
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const DEPENDENCY_FLOORS = [
  { name: 'next', floor: '16.0.7', why: 'CVE-2025-66478 (React2Shell in Next.js): a crafted React Server Components request runs code on the server; fixed for 16.0 in 16.0.7' },
  { name: 'react', floor: '19.2.1', why: 'CVE-2025-55182: React Server Components payload decoding leads to remote code execution; fixed in 19.2.1' },
  { name: 'react-dom', floor: '19.2.1', why: 'released in lockstep with react: the same CVE-2025-55182 release line must be on both' },
  { name: 'socket.io', floor: '4.6.2', why: 'CVE-2024-38355: a crafted packet raises an unhandled "error" event that kills the server process' },
  { name: 'engine.io', floor: '6.4.2', why: 'CVE-2023-31125: a crafted HTTP request triggers an uncaught exception that kills the server process' },
  { name: 'socket.io-parser', floor: '4.2.7', why: 'CVE-2023-32695 (crash on a crafted packet, fixed in 4.2.3) and CVE-2026-33151 (unbounded binary attachments exhaust memory, limited from 4.2.6); issue #17 sets 4.2.7' },
  { name: 'ws', floor: '8.17.1', why: 'CVE-2024-37890: a request with more headers than the server allows crashes it' },
  { name: 'path-to-regexp', floor: '8.4.0', why: 'GHSA-j3q9-mxjg-w52f and CVE-2026-4923: route patterns compile to backtracking regular expressions (ReDoS) in 8.0.0-8.3.0; express 5 routes with it' },
  { name: 'cookie', floor: '0.7.0', why: 'CVE-2024-47764: out-of-range characters in a cookie name, path or domain let a value inject other cookie attributes' },
  { name: 'express', floor: '5.0.0', why: 'express 4 needed late patches for CVE-2024-29041 (open redirect) and CVE-2024-43796 (XSS in res.redirect) and uses path-to-regexp 0.1 (ReDoS); server.ts uses the express 5 route syntax' },
];

/** -1, 0 or 1 as version a is below, equal to or above b; a pre-release sorts below its release. */
export function compareVersions(a, b) {
  const parse = (v) => {
    const [core, pre] = v.split('+')[0].split(/-(.*)/s);
    return { nums: core.split('.').map((n) => Number.parseInt(n, 10) || 0), pre: pre ?? '' };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i += 1) {
    const d = (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (x.pre === y.pre) return 0;
  if (x.pre === '') return 1;
  if (y.pre === '') return -1;
  return x.pre < y.pre ? -1 : 1;
}

const listDir = (dir) => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
};

/** Every installed copy of a package: [{ name, version, path }], walking nested node_modules. */
export function installedCopies(nodeModules, names) {
  const wanted = new Set(names);
  const found = [];
  const visit = (dir) => {
    for (const entry of listDir(dir)) {
      if (entry.startsWith('.')) continue;
      if (entry.startsWith('@')) {
        for (const sub of listDir(join(dir, entry))) visitPackage(join(dir, entry, sub), `${entry}/${sub}`);
      } else visitPackage(join(dir, entry), entry);
    }
  };
  const visitPackage = (pkgDir, name) => {
    // Workspace links point back into the repository: their own node_modules are visited as roots.
    if (lstatSync(pkgDir, { throwIfNoEntry: false })?.isSymbolicLink() !== false) return;
    if (wanted.has(name)) {
      try {
        const { version } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
        found.push({ name, version: String(version), path: pkgDir });
      } catch {
        found.push({ name, version: '0.0.0', path: pkgDir });
      }
    }
    visit(join(pkgDir, 'node_modules'));
  };
  visit(nodeModules);
  return found;
}

/** The installed copies below their floor, each with the floor and why it is there. */
export function belowFloors(nodeModulesDirs, floors = DEPENDENCY_FLOORS) {
  const byName = new Map(floors.map((f) => [f.name, f]));
  const copies = nodeModulesDirs.flatMap((dir) => installedCopies(dir, [...byName.keys()]));
  return {
    checked: copies,
    failures: copies.filter((c) => compareVersions(c.version, byName.get(c.name).floor) < 0).map((c) => ({ ...c, ...byName.get(c.name) })),
  };
}
