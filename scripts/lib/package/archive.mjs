// Reproducible archives: every entry gets the same mtime (SOURCE_DATE_EPOCH), owner root:root, sorted
// names; gzip streams carry no name or time. The same tree therefore gives the same bytes.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, lstatSync, readdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

/** Sets every file's and directory's mtime (and atime) under dir, dir included, to epoch seconds. */
export function clampTimes(dir, epoch) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) clampTimes(path, epoch);
    else if (!entry.isSymbolicLink()) utimesSync(path, epoch, epoch);
  }
  utimesSync(dir, epoch, epoch);
}

function run(cmd, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (err) => reject(new Error(`${cmd} could not start: ${err.message}`)));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} failed (exit ${code}): ${stderr.trim()}`))));
  });
}

/** <out> = gzip(tar of `top` inside `parent`) with GNU tar's sorted, owner-free, fixed-time entries. */
export async function tarGz(parent, top, out, epoch) {
  const tar = spawn('tar', ['--create', '--format=gnu', '--sort=name', `--mtime=@${epoch}`, '--owner=0', '--group=0', '--numeric-owner', '--directory', parent, top], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  tar.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve, reject) => {
    tar.on('error', (err) => reject(new Error(`tar could not start: ${err.message}`)));
    tar.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`tar failed (exit ${code}): ${stderr.trim()}`))));
  });
  // zlib writes no file name and a zero mtime in the gzip header, like gzip -n.
  await Promise.all([pipeline(tar.stdout, createGzip({ level: 6 }), createWriteStream(out)), exited]);
}

/** dpkg-deb --build with root-owned entries; SOURCE_DATE_EPOCH fixes the ar and tar timestamps. */
export async function dpkgDeb(tree, out, epoch) {
  await run('dpkg-deb', ['--root-owner-group', '-Zgzip', '-z6', '--build', tree, out], { env: { ...process.env, SOURCE_DATE_EPOCH: String(epoch) } });
}

export async function sha256File(path) {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** Total size in KiB of the files under dir, for the control file's Installed-Size. */
export function installedKiB(dir) {
  let bytes = 0;
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else bytes += lstatSync(path).size;
    }
  };
  walk(dir);
  return Math.ceil(bytes / 1024);
}
