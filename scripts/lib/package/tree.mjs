// The agent's runtime tree (what goes to /usr/lib/ctscope or <prefix>/lib/ctscope): the CLI bundle,
// the Node.js binary that runs it, and the two native addons with just enough package metadata for
// them to be found. Nothing here is fetched: it all comes from this checkout and the running Node.
import { build } from 'esbuild';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { ROOT } from '../setup.mjs';

const AGENT = join(ROOT, 'apps', 'agent');
export const ADDON = join(ROOT, 'packages', 'conntrack', 'build', 'Release', 'nfevents.node');
const NETLINK = join(ROOT, 'node_modules', 'netlink');
const NODE_GYP_BUILD = join(ROOT, 'node_modules', 'node-gyp-build');

export const agentVersion = () => JSON.parse(readFileSync(join(AGENT, 'package.json'), 'utf8')).version;

function copy(from, to, mode = 0o644) {
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
  chmodSync(to, mode);
}

function writeFile(to, contents, mode = 0o644) {
  mkdirSync(dirname(to), { recursive: true });
  writeFileSync(to, contents);
  chmodSync(to, mode);
}

/** Every file under dir whose name passes keep, as paths relative to dir. */
function filesUnder(dir, keep) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && keep(e.name))
    .map((e) => relative(dir, join(e.parentPath, e.name)));
}

/** What a built runtime needs that a checkout may lack, as a message saying how to get it. */
export function missingInputs() {
  const [major] = process.versions.node.split('.').map(Number);
  if (major < 20) return `the package ships the running Node.js, which must be 20 or newer (this is ${process.versions.node})`;
  if (process.platform !== 'linux' || process.arch !== 'x64') return `packages are built for linux-x64; this is ${process.platform}-${process.arch}`;
  if (!existsSync(ADDON)) return 'the conntrack event addon is not built: run npm run setup first';
  if (!existsSync(join(NETLINK, 'prebuilds', 'linux-x64', 'node.napi.node'))) return 'node_modules/netlink has no linux-x64 prebuild: run npm ci';
  return null;
}

/** One ESM bundle of the whole CLI (third-party code inlined) except netlink, which is native. */
async function bundle(libDir) {
  await build({
    absWorkingDir: ROOT,
    entryPoints: { ctscope: join(AGENT, 'src', 'cli', 'packaged.ts') },
    outdir: libDir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['netlink'],
    banner: { js: "import { createRequire as __ctscopeCreateRequire } from 'node:module'; const require = __ctscopeCreateRequire(import.meta.url);" },
    legalComments: 'eof',
    logLevel: 'warning',
  });
}

/**
 * The commands scripts run in loops, each alone in a CommonJS bundle that bin/ctscope starts directly:
 * list.cjs (`ctscope list`) and conntrack.cjs (conntrack's own command line). Node loads CommonJS
 * without its ES module loader, and these leave out the CLI's configuration, zod and pino: ~60 ms less
 * at every start than going through ctscope.mjs (measured with bench/src/batch-bench.ts).
 */
export const LEAN_ENTRIES = { list: 'packaged-list.ts', conntrack: 'packaged-conntrack.ts' };

/** The event addon's place in the runtime tree, from its top. */
const ADDON_IN_TREE = join('node_modules', '@ctscope', 'conntrack', 'build', 'Release', 'nfevents.node');

async function leanBundles(libDir) {
  await build({
    absWorkingDir: ROOT,
    entryPoints: Object.fromEntries(Object.entries(LEAN_ENTRIES).map(([name, file]) => [name, join(AGENT, 'src', 'cli', file)])),
    outdir: libDir,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['netlink'],
    // The sources find the native addon from import.meta.url, which CommonJS spells with __filename;
    // these bundles sit at the top of the tree, so the addon is at a known path beside them.
    define: { 'import.meta.url': '__ctscopeImportMetaUrl', __CTSCOPE_ADDON_BESIDE_BUNDLE__: JSON.stringify(ADDON_IN_TREE) },
    banner: { js: "const __ctscopeImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    plugins: [ownRequire],
    legalComments: 'eof',
    logLevel: 'warning',
  });
}

/**
 * createRequire(import.meta.url) in a CommonJS bundle is the bundle's own require (the same directory
 * to resolve from), which spares loading node:module: that pulls in parts of Node's ES module loader.
 */
const ownRequire = {
  name: 'ctscope-own-require',
  setup(b) {
    // Our sources only (they use nothing else of it); third-party code keeps the real module.
    b.onResolve({ filter: /^node:module$/ }, (args) => (args.importer.startsWith(join(ROOT, 'packages')) || args.importer.startsWith(AGENT) ? { path: 'module', namespace: 'ctscope-own-require' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'ctscope-own-require' }, () => ({ contents: 'export const createRequire = () => require;', loader: 'js' }));
  },
};

/** Writes the runtime tree into libDir, which must not exist yet. */
export async function writeRuntime(libDir, version) {
  mkdirSync(libDir, { recursive: true });
  await bundle(libDir);
  await leanBundles(libDir);
  // The dependencies name what the bundle loads from node_modules (the native addons), so the agent's
  // code-trust check (apps/agent/src/code-trust.ts) walks into them as it does in a checkout.
  const dependencies = { '@ctscope/conntrack': version, netlink: JSON.parse(readFileSync(join(NETLINK, 'package.json'), 'utf8')).version, 'node-gyp-build': JSON.parse(readFileSync(join(NODE_GYP_BUILD, 'package.json'), 'utf8')).version };
  writeFile(join(libDir, 'package.json'), `${JSON.stringify({ name: 'ctscope-agent', version, private: true, type: 'module', dependencies }, null, 2)}\n`);
  copy(process.execPath, join(libDir, 'node'), 0o755);
  const nodeLicense = join(dirname(process.execPath), '..', 'share', 'doc', 'nodejs', 'LICENSE');
  if (existsSync(nodeLicense)) copy(nodeLicense, join(libDir, 'node.LICENSE'));

  const modules = join(libDir, 'node_modules');
  // The bundle finds the addon through @ctscope/conntrack/package.json, as the sources do.
  writeFile(join(modules, '@ctscope', 'conntrack', 'package.json'), `${JSON.stringify({ name: '@ctscope/conntrack', version, private: true, exports: { './package.json': './package.json' } }, null, 2)}\n`);
  // Shared objects that node dlopen()s: read, not execute.
  copy(ADDON, join(libDir, ADDON_IN_TREE));
  for (const file of ['package.json', 'LICENSE', ...filesUnder(join(NETLINK, 'dist'), (n) => n.endsWith('.js')).map((f) => join('dist', f))]) copy(join(NETLINK, file), join(modules, 'netlink', file));
  copy(join(NETLINK, 'prebuilds', 'linux-x64', 'node.napi.node'), join(modules, 'netlink', 'prebuilds', 'linux-x64', 'node.napi.node'));
  for (const file of ['package.json', 'LICENSE', 'index.js', 'node-gyp-build.js']) copy(join(NODE_GYP_BUILD, file), join(modules, 'node-gyp-build', file));
}

/** bin/ctscope: a POSIX sh launcher running the shipped node with the agent's V8 flags. */
export async function launcher() {
  const { AGENT_NODE_FLAGS } = await import('../../../apps/agent/bin/node-flags.mjs');
  return readFileSync(join(AGENT, 'deploy', 'launcher.sh'), 'utf8').replaceAll('@NODE_FLAGS@', AGENT_NODE_FLAGS.join(' '));
}

export const unitFile = () => readFileSync(join(AGENT, 'deploy', 'ctscope-agent.service'), 'utf8');
export const agentEnv = () => readFileSync(join(AGENT, 'deploy', 'agent.env'), 'utf8');
export const debianFile = (name) => readFileSync(join(AGENT, 'deploy', 'debian', name), 'utf8');
export { copy, writeFile };
