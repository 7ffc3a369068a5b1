#!/usr/bin/env node
// Starts the ctscope CLI: the prebuilt bundle when it is newer than every source file it was built
// from, otherwise the TypeScript sources through tsx (no build step needed while developing).
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const bundle = fileURLToPath(new URL('../dist/ctscope.mjs', import.meta.url));
const SOURCE_DIRS = ['apps/agent/src', 'packages/conntrack/src', 'packages/protocol/src', 'packages/sysctl/src', 'packages/rules/src'];

function newestMtime(dir) {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function bundleIsFresh() {
  const built = statSync(bundle, { throwIfNoEntry: false });
  if (!built) return false;
  return SOURCE_DIRS.every((dir) => newestMtime(`${root}${dir}`) <= built.mtimeMs);
}

let main;
if (process.env.CTSCOPE_FROM_SOURCE !== '1' && bundleIsFresh()) {
  ({ main } = await import(bundle));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
