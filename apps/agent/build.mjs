// Bundles the CLI into dist/ so `ctscope` starts in ~0.1 s instead of compiling TypeScript at every
// start. Three entries share chunks (esbuild splitting): dist/ctscope.mjs (every command; each command's
// code and third-party packages load only when that command runs) and dist/list.mjs (`ctscope list`
// alone: the command operators run in loops, started without the CLI's configuration schema) and
// dist/conntrack.mjs (conntrack's own command line, `ctscope -L ...`, which scripts also run in loops). Next to
// each, <name>.inputs.json lists the sources it was built from; bin/ctscope.mjs uses a bundle only
// while none of them is newer, otherwise the TypeScript through tsx.
import { build } from 'esbuild';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const root = here('../..');
const ENTRIES = { ctscope: here('./src/cli/main.ts'), list: here('./src/commands/list.ts'), conntrack: here('./src/commands/conntrack-syntax.ts') };

const result = await build({
  absWorkingDir: root,
  entryPoints: ENTRIES,
  outdir: here('./dist'),
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  metafile: true,
  write: false,
  // Third-party packages load from node_modules (netlink is native); our workspace packages are bundled.
  external: ['netlink', 'pino', 'socket.io-client', 'zod'],
  banner: { js: "import { createRequire as __ctscopeCreateRequire } from 'node:module'; const require = __ctscopeCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});

// Files are replaced atomically, chunks before the entries that import them, and chunks of earlier
// builds stay a while: a ctscope starting while this runs (a test, the agent) loads one whole build.
const atomicWrite = (path, contents) => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, contents);
  renameSync(`${path}.tmp`, path);
};
const isEntry = (path) => Object.keys(ENTRIES).some((name) => path.endsWith(`/dist/${name}.mjs`));
for (const file of result.outputFiles.filter((f) => !isEntry(f.path))) atomicWrite(file.path, file.contents);

// Every source an entry can load (its own output and the chunks it imports, statically or not).
const outputs = result.metafile.outputs;
const rel = (path) => path.slice(path.indexOf('apps/agent/dist/'));
function sourcesOf(output, seen = new Set()) {
  if (seen.has(output)) return seen;
  seen.add(output);
  for (const imported of outputs[output]?.imports ?? []) if (!imported.external) sourcesOf(Object.keys(outputs).find((o) => rel(o) === rel(imported.path)) ?? imported.path, seen);
  return seen;
}
for (const name of Object.keys(ENTRIES)) {
  const entry = Object.keys(outputs).find((o) => o.endsWith(`dist/${name}.mjs`));
  const inputs = new Set();
  for (const output of sourcesOf(entry)) for (const input of Object.keys(outputs[output]?.inputs ?? {})) if (!input.includes('node_modules/')) inputs.add(input);
  atomicWrite(here(`./dist/${name}.inputs.json`), `${JSON.stringify([...inputs].sort(), null, 1)}\n`);
}
for (const file of result.outputFiles.filter((f) => isEntry(f.path))) atomicWrite(file.path, file.contents);

const current = new Set(Object.keys(outputs).map((o) => o.slice(o.lastIndexOf('/') + 1)));
const hourAgo = Date.now() - 3600_000;
for (const file of readdirSync(here('./dist/chunks'))) {
  const path = here(`./dist/chunks/${file}`);
  if (!current.has(file) && statSync(path).mtimeMs < hourAgo) rmSync(path);
}
