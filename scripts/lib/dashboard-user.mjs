// The dashboard needs no privileges, so it never runs as root: started by root (npm start, demo, cluster,
// the tests), it runs as the system user `ctscope`, created when missing, owning its data directory.
import { execFileSync } from 'node:child_process';
import { lchownSync, lstatSync, mkdirSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, parse } from 'node:path';
import { isRoot } from './run.mjs';

export const DASHBOARD_USER = 'ctscope';

/** uid, gid and home of a user from the passwd database, or null when there is none. */
export function lookupUser(name) {
  let line;
  try {
    line = execFileSync('getent', ['passwd', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
  const [, , uid, gid, , home] = line.split(':');
  return { name, uid: Number(uid), gid: Number(gid), home };
}

/** The dashboard's system user, created (no login shell, no home directory) when missing. Root only. */
export function ensureDashboardUser(name = DASHBOARD_USER) {
  const existing = lookupUser(name);
  if (existing) return existing;
  execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', '--comment', 'ctscope dashboard', name], { stdio: ['ignore', 'ignore', 'pipe'] });
  const created = lookupUser(name);
  if (!created) throw new Error(`useradd created no user ${name}`);
  return created;
}

const permits = (info, user, bits) => {
  const shift = info.uid === user.uid ? 6 : info.gid === user.gid ? 3 : 0;
  return ((info.mode >> shift) & bits) === bits;
};

/** The first directory from / down to `path` that `user` may not enter (or, for `path` itself, list), or null. */
export function unreachableBy(path, user) {
  const chain = [];
  for (let dir = path; ; dir = dirname(dir)) {
    chain.unshift(dir);
    if (dir === parse(dir).root) break;
  }
  for (const dir of chain) {
    const info = statSync(dir);
    if (!permits(info, user, dir === path ? 0o5 : 0o1)) return { path: dir, mode: (info.mode & 0o7777).toString(8) };
  }
  return null;
}

/**
 * Gives `dir` (created when missing, mode 0700) and what root left in it (an earlier run as root) to the
 * user. Root never works inside what the user already owns (it could plant links there): entries the user
 * owns are left alone, links are not followed, and a file with several hard links is refused.
 */
export function giveDirectory(dir, user) {
  const missing = [];
  for (let d = dir; !statSync(d, { throwIfNoEntry: false }); d = dirname(d)) missing.unshift(d);
  for (const d of missing) mkdirSync(d, { mode: d === dir ? 0o700 : 0o755 });
  const walk = (path) => {
    const info = lstatSync(path);
    if (info.uid === user.uid) return;
    if (info.isFile() && info.nlink > 1) throw new Error(`${path} has ${info.nlink} hard links; remove the extra links before the dashboard's user ${user.name} is given its data directory`);
    lchownSync(path, user.uid, user.gid);
    if (info.isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry));
  };
  walk(realpathSync(dir));
}

/**
 * What to spawn the dashboard with: under root, the `ctscope` user's uid and gid (Node also drops the
 * supplementary groups) with its data directory handed over; otherwise nothing changes. Throws with what
 * to do when that user cannot read the application.
 */
export function dashboardIdentity({ appDirs, dataDir }) {
  if (!isRoot()) return {};
  const user = ensureDashboardUser();
  for (const dir of appDirs) {
    const blocked = unreachableBy(dir, user);
    if (blocked) {
      throw new Error(
        `the dashboard runs as the unprivileged user ${user.name}, which cannot read ${dir}: ${blocked.path} has mode ${blocked.mode}. ` +
          `Put the checkout where every user may read it (e.g. /opt/ctscope), or run: chmod o+rx ${blocked.path}`,
      );
    }
  }
  giveDirectory(dataDir, user);
  const blocked = unreachableBy(dataDir, user);
  if (blocked) throw new Error(`the dashboard's user ${user.name} cannot reach its data directory ${dataDir}: ${blocked.path} has mode ${blocked.mode}; choose a CTSCOPE_DATA_DIR it can reach`);
  // Its own HOME (/nonexistent), as `sudo -u ctscope` gives: a HOME inside the checkout (data/) makes Next.js
  // ignore the workspace root.
  return { uid: user.uid, gid: user.gid, env: { HOME: user.home, USER: user.name, LOGNAME: user.name } };
}
