#!/usr/bin/env node
// Starts the ctscope CLI: a prebuilt bundle (`npm run build -w @ctscope/agent`) when none of the
// sources it was built from is newer, otherwise the TypeScript sources through tsx (no build step
// needed while developing). `ctscope list` has a bundle of its own that skips the agent's dependencies.
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const dist = (file) => fileURLToPath(new URL(`../dist/${file}`, import.meta.url));

/** The bundle's path when it exists and is at least as new as every source in <name>.inputs.json. */
function freshBundle(name) {
  if (process.env.CTSCOPE_FROM_SOURCE === '1') return null;
  try {
    const built = statSync(dist(`${name}.mjs`)).mtimeMs;
    const inputs = JSON.parse(readFileSync(dist(`${name}.inputs.json`), 'utf8'));
    for (const input of inputs) if (statSync(`${root}${input}`).mtimeMs > built) return null;
    return dist(`${name}.mjs`);
  } catch {
    return null;
  }
}

const argv = process.argv.slice(2);
// conntrack's own command line (isConntrackCommandLine in packages/conntrack/src/compat/options.ts).
const first = argv[0] ?? '';
const conntrackSyntax = first === 'conntrack' || (first.length > 1 && first.startsWith('-') && !['-h', '--help', '--version', '-V'].includes(first));
let run;
const list = argv[0] === 'list' ? freshBundle('list') : null;
const compat = conntrackSyntax ? freshBundle('conntrack') : null;
const full = list || compat ? null : freshBundle('ctscope');
if (list) {
  const { listMain } = await import(list);
  run = () => listMain(argv.slice(1));
} else if (compat) {
  const { conntrackSyntaxMain } = await import(compat);
  run = () => conntrackSyntaxMain(argv);
} else if (full) {
  const { main } = await import(full);
  run = () => main(argv);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../src/cli/main.ts');
  run = () => main(argv);
}
process.exitCode = await run();
