import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandOutput, isCI, isRoot, runInherit, say } from './run.mjs';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Debian packages the agent needs on the host. */
export const RUNTIME_PACKAGES = ['conntrack', 'iptables', 'nftables', 'iproute2'];
/**
 * And what the tests need on top: ping for ICMP traffic, setpriv to drop root, Chromium for the browser,
 * PostgreSQL for a throwaway server the store is tested against, Redis for the scale-out test, openssl
 * for the test CA of the TLS tests, curl and sudo for the package test (it runs the hosts page's commands),
 * gcc for the native addon and the events benchmark's traffic generator (bench/native/udp-churn.c),
 * prometheus for promtool, which checks and unit-tests deploy/prometheus/ctscope.rules.yml.
 */
export const TEST_PACKAGES = [...RUNTIME_PACKAGES, 'iputils-ping', 'util-linux', 'systemd', 'chromium', 'postgresql', 'redis-server', 'openssl', 'curl', 'sudo', 'gcc', 'prometheus-alertmanager', 'prometheus'];

export function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    throw new Error(`ctscope needs Node.js 20.19 or newer; this is ${process.versions.node}`);
  }
}

function missingDebianPackages(packages) {
  return packages.filter((pkg) => !(commandOutput('dpkg-query', ['-W', '-f=${Status}', pkg]) ?? '').includes('install ok installed'));
}

/**
 * Installs missing Debian packages when root. Otherwise names them; `required` makes that fatal.
 * Returns the packages still missing.
 */
export async function ensureDebianPackages(packages, { required }) {
  const missing = missingDebianPackages(packages);
  if (missing.length === 0) return [];
  if (!isRoot()) {
    const message = `missing Debian packages: ${missing.join(' ')} — install them with: sudo apt-get install -y ${missing.join(' ')}`;
    if (required) throw new Error(message);
    say(message);
    return missing;
  }
  say(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await runInherit('apt-get', ['update', '-qq'], { env });
  await runInherit('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
  return [];
}

function hashFiles(files) {
  const hash = createHash('sha256');
  for (const file of files) hash.update(relative(ROOT, file)).update(readFileSync(file));
  return hash.digest('hex');
}

/** `npm ci` when node_modules is missing or was installed from another lockfile. */
export async function ensureNpmDependencies() {
  const stamp = join(ROOT, 'node_modules', '.ctscope-lock-hash');
  const wanted = hashFiles([join(ROOT, 'package-lock.json')]);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) return;
  say('installing npm dependencies (npm ci)');
  await runInherit('npm', ['ci', '--no-audit', '--no-fund'], { cwd: ROOT });
  writeFileSync(stamp, wanted);
}

function sourceFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', '.next', '.turbo'].includes(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(tsx?|css|json|mjs)$/.test(entry.name)) out.push(path);
  }
  return out.sort();
}

/** Builds the dashboard's pages when they, the protocol or the browser-side conntrack code changed since the last build. */
export async function ensureDashboardBuild() {
  const dashboard = join(ROOT, 'apps', 'dashboard');
  const stamp = join(dashboard, '.next', 'ctscope-source-hash');
  const wanted = hashFiles([...sourceFiles(join(dashboard, 'app')), ...sourceFiles(join(dashboard, 'src')), ...sourceFiles(join(ROOT, 'packages', 'protocol', 'src')), ...sourceFiles(join(ROOT, 'packages', 'conntrack', 'src', 'filter')), ...sourceFiles(join(ROOT, 'packages', 'conntrack', 'src', 'text')), join(dashboard, 'next.config.ts'), join(dashboard, 'package.json')]);
  if (existsSync(stamp) && statSync(join(dashboard, '.next', 'BUILD_ID'), { throwIfNoEntry: false }) && readFileSync(stamp, 'utf8') === wanted) return;
  say('building the dashboard (next build)');
  await runInherit(join(ROOT, 'node_modules', '.bin', 'next'), ['build'], { cwd: dashboard, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
  writeFileSync(stamp, wanted);
}

/** Every file under dir, sorted (for hashes of what a build reads). */
function allFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/**
 * Builds the agent packages the dashboard serves to hosts (npm run package) when the agent, the packages
 * it bundles, the recipe or the running Node changed since they were built.
 */
export async function ensureReleasePackages() {
  const release = join(ROOT, 'dist', 'release');
  const stamp = join(release, '.ctscope-source-hash');
  const agent = join(ROOT, 'apps', 'agent');
  const inputs = [
    ...allFiles(join(agent, 'src')),
    ...allFiles(join(agent, 'deploy')),
    ...allFiles(join(agent, 'bin')),
    join(agent, 'package.json'),
    ...['conntrack', 'protocol', 'rules', 'sysctl'].flatMap((p) => sourceFiles(join(ROOT, 'packages', p, 'src'))),
    join(ROOT, 'packages', 'conntrack', 'build', 'Release', 'nfevents.node'),
    ...allFiles(join(ROOT, 'scripts', 'lib', 'package')),
    join(ROOT, 'package-lock.json'),
  ];
  const wanted = `${process.version}:${hashFiles(inputs)}`;
  if (existsSync(stamp) && existsSync(join(release, 'SHA256SUMS')) && readFileSync(stamp, 'utf8') === wanted) return;
  say('building the agent packages hosts install from this dashboard (npm run package)');
  try {
    await runInherit(process.execPath, [join(ROOT, 'scripts', 'package.mjs')], { cwd: ROOT });
    writeFileSync(stamp, wanted);
  } catch (err) {
    // The dashboard runs without them; its Hosts page says that no package is built.
    say(`the agent packages were not built (${err.message}); fix that and run npm run package`);
  }
}

export { isCI, isRoot };

/** Bundles the agent CLI for fast starts (esbuild, well under a second). */
export async function buildAgentBundle() {
  await runInherit(process.execPath, [join(ROOT, 'apps', 'agent', 'build.mjs')], { cwd: ROOT });
}

/** Builds the small native addon for conntrack event sockets (node-gyp; python3, make and g++). */
export async function buildNativeAddon() {
  const pkg = join(ROOT, 'packages', 'conntrack');
  const built = statSync(join(pkg, 'build', 'Release', 'nfevents.node'), { throwIfNoEntry: false });
  const sources = [join(pkg, 'binding.gyp'), ...readdirSync(join(pkg, 'native')).map((f) => join(pkg, 'native', f))];
  if (built && sources.every((f) => statSync(f).mtimeMs <= built.mtimeMs)) return;
  say('building the conntrack event addon (node-gyp)');
  await runInherit('npm', ['run', 'build:native', '-w', '@ctscope/conntrack'], { cwd: ROOT });
}
