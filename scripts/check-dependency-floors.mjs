// Fails when any installed package is below its floor in scripts/lib/dependency-floors.mjs (run by `npm test`).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEPENDENCY_FLOORS, belowFloors } from './lib/dependency-floors.mjs';
import { ROOT } from './lib/setup.mjs';

const root = process.argv[2] ?? ROOT;
const workspaceDirs = ['apps', 'packages'].flatMap((d) => {
  try {
    return readdirSync(join(root, d)).map((name) => join(root, d, name));
  } catch {
    return [];
  }
});
const dirs = [root, ...workspaceDirs, join(root, 'e2e'), join(root, 'bench')].map((d) => join(d, 'node_modules'));
const { checked, failures } = belowFloors(dirs);
const missing = DEPENDENCY_FLOORS.filter((f) => !checked.some((c) => c.name === f.name));
for (const f of failures) process.stderr.write(`${f.name} ${f.version} at ${f.path} is below the floor ${f.floor}: ${f.why}\n`);
for (const f of missing) process.stderr.write(`${f.name} is not installed: a floor nothing is checked against is a stale list (remove it or run npm ci)\n`);
if (failures.length > 0 || missing.length > 0) process.exit(1);
process.stdout.write(`dependency floors: ${checked.length} installed copies of ${DEPENDENCY_FLOORS.length} packages, all at or above their floor\n`);
