// `npm run package`: the agent as a self-contained tarball and a .deb, both reproducible.
//   ctscope-agent-<version>-linux-x64.tar.gz   ctscope-agent-<version>/{bin/ctscope, lib/ctscope/, lib/systemd/system/, etc/ctscope/}
//   ctscope-agent_<version>_amd64.deb          /usr/bin/ctscope, /usr/lib/ctscope/, /lib/systemd/system/, /etc/ctscope/agent.env, /var/lib/ctscope
//   SHA256SUMS                                 sha256sum -c format, what the dashboard serves beside them
// Timestamps come from SOURCE_DATE_EPOCH or the last commit, so the same sources give the same bytes.
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { commandOutput } from '../run.mjs';
import { ROOT } from '../setup.mjs';
import { clampTimes, dpkgDeb, installedKiB, sha256File, tarGz } from './archive.mjs';
import { agentEnv, agentVersion, debianFile, launcher, missingInputs, unitFile, writeFile, writeRuntime } from './tree.mjs';

export const RELEASE_DIR = join(ROOT, 'dist', 'release');
export const tarballName = (version) => `ctscope-agent-${version}-linux-x64.tar.gz`;
export const debName = (version) => `ctscope-agent_${version}_amd64.deb`;

/** SOURCE_DATE_EPOCH when set, otherwise the last commit's time. */
export function sourceDateEpoch(env = process.env) {
  if (env.SOURCE_DATE_EPOCH !== undefined) {
    if (!/^\d{1,12}$/.test(env.SOURCE_DATE_EPOCH)) throw new Error(`SOURCE_DATE_EPOCH must be seconds since 1970, not "${env.SOURCE_DATE_EPOCH}"`);
    return Number(env.SOURCE_DATE_EPOCH);
  }
  const committed = commandOutput('git', ['-C', ROOT, 'log', '-1', '--format=%ct'])?.trim();
  if (!committed || !/^\d+$/.test(committed)) throw new Error('no git history to date the package by: set SOURCE_DATE_EPOCH');
  return Number(committed);
}

/** Modes that do not depend on the umask the files were created under: 0755 directories (dir too), 0755 or 0644 files. */
function normalizeModes(dir) {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) normalizeModes(path);
    else if (entry.isFile()) chmodSync(path, statSync(path).mode & 0o100 ? 0o755 : 0o644);
  }
}

async function stageTarball(stage, version) {
  const top = `ctscope-agent-${version}`;
  const root = join(stage, 'tarball', top);
  await writeRuntime(join(root, 'lib', 'ctscope'), version);
  writeFile(join(root, 'bin', 'ctscope'), await launcher(), 0o755);
  writeFile(join(root, 'lib', 'systemd', 'system', 'ctscope-agent.service'), unitFile());
  writeFile(join(root, 'etc', 'ctscope', 'agent.env'), agentEnv());
  return { parent: join(stage, 'tarball'), top, root };
}

function md5sums(tree, skip) {
  const lines = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      const rel = relative(tree, path);
      if (entry.isDirectory()) {
        if (rel !== 'DEBIAN') walk(path);
      } else if (entry.isFile() && !skip.has(`/${rel}`)) lines.push(`${createHash('md5').update(readFileSync(path)).digest('hex')}  ${rel}`);
    }
  };
  walk(tree);
  return `${lines.join('\n')}\n`;
}

function debianChangelog(version, epoch) {
  const date = new Date(epoch * 1000).toUTCString().replace('GMT', '+0000');
  return `ctscope-agent (${version}) unstable; urgency=medium\n\n  * ctscope agent ${version}, packaged by npm run package.\n\n -- ctscope maintainers <ctscope@localhost>  ${date}\n`;
}

async function stageDeb(stage, version, runtimeFrom, epoch) {
  const tree = join(stage, 'deb');
  cpSync(runtimeFrom, join(tree, 'usr', 'lib', 'ctscope'), { recursive: true });
  writeFile(join(tree, 'usr', 'bin', 'ctscope'), await launcher(), 0o755);
  writeFile(join(tree, 'lib', 'systemd', 'system', 'ctscope-agent.service'), unitFile());
  writeFile(join(tree, 'etc', 'ctscope', 'agent.env'), agentEnv());
  mkdirSync(join(tree, 'var', 'lib', 'ctscope'), { recursive: true });
  const doc = join(tree, 'usr', 'share', 'doc', 'ctscope-agent');
  writeFile(join(doc, 'copyright'), debianFile('copyright'));
  // A native package's changelog, compressed without a name or time like everything else here.
  writeFile(join(doc, 'changelog.gz'), gzipSync(debianChangelog(version, epoch), { level: 9 }));
  normalizeModes(tree);
  chmodSync(join(tree, 'var', 'lib', 'ctscope'), 0o700);

  const conffiles = debianFile('conffiles');
  const control = debianFile('control.in').replaceAll('@VERSION@', version).replaceAll('@INSTALLED_SIZE@', String(installedKiB(tree)));
  const sums = md5sums(tree, new Set(conffiles.split('\n').filter(Boolean)));
  writeFile(join(tree, 'DEBIAN', 'control'), control);
  writeFile(join(tree, 'DEBIAN', 'conffiles'), conffiles);
  writeFile(join(tree, 'DEBIAN', 'md5sums'), sums);
  for (const script of ['postinst', 'prerm', 'postrm']) writeFile(join(tree, 'DEBIAN', script), debianFile(script), 0o755);
  chmodSync(join(tree, 'DEBIAN'), 0o755);
  return tree;
}

/**
 * Builds both artifacts and SHA256SUMS into outDir (replacing earlier ones of any version) and
 * returns what it wrote. Staging happens in a temporary directory that is always removed.
 */
export async function buildRelease({ outDir = RELEASE_DIR, epoch = sourceDateEpoch() } = {}) {
  const missing = missingInputs();
  if (missing) throw new Error(missing);
  const version = agentVersion();
  const stage = mkdtempSync(join(tmpdir(), 'ctscope-package-'));
  try {
    const tarball = await stageTarball(stage, version);
    normalizeModes(tarball.parent);
    const deb = await stageDeb(stage, version, join(tarball.root, 'lib', 'ctscope'), epoch);
    clampTimes(tarball.parent, epoch);
    clampTimes(deb, epoch);

    const built = join(stage, 'out');
    mkdirSync(built);
    await tarGz(tarball.parent, tarball.top, join(built, tarballName(version)), epoch);
    await dpkgDeb(deb, join(built, debName(version)), epoch);
    const files = [];
    for (const name of [debName(version), tarballName(version)]) files.push({ name, sha256: await sha256File(join(built, name)), bytes: statSync(join(built, name)).size });
    writeFileSync(join(built, 'SHA256SUMS'), files.map((f) => `${f.sha256}  ${f.name}\n`).join(''));

    // Swap in the new set whole: a dashboard serving outDir never lists a file that is not there yet.
    mkdirSync(outDir, { recursive: true });
    for (const old of readdirSync(outDir)) if (/^ctscope-agent[-_].*\.(tar\.gz|deb)$|^SHA256SUMS$/.test(old)) rmSync(join(outDir, old));
    for (const f of [...files.map((x) => x.name), 'SHA256SUMS']) renameOrCopy(join(built, f), join(outDir, f));
    return { version, epoch, outDir, files };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

function renameOrCopy(from, to) {
  try {
    renameSync(from, to);
  } catch {
    cpSync(from, to);
  }
}
