import { open, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

/** `<path>.<n>`: n = 1 is the newest rotated file. */
export function rotatedPath(path: string, n: number): string {
  return `${path}.${n}`;
}

const ignoreMissing = (err: unknown) => {
  if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
};

/** Makes renames and new files in the directory of `path` durable. */
export async function syncDirectory(path: string): Promise<void> {
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/**
 * Shifts `<path>` → `.1` → `.2` … keeping `keep` rotated files (the oldest is removed); with keep = 0
 * the live file is removed. The caller has closed the live file and reopens it afterwards.
 */
export async function rotateFiles(path: string, keep: number): Promise<void> {
  if (keep === 0) {
    await unlink(path).catch(ignoreMissing);
  } else {
    await unlink(rotatedPath(path, keep)).catch(ignoreMissing);
    for (let n = keep - 1; n >= 1; n--) await rename(rotatedPath(path, n), rotatedPath(path, n + 1)).catch(ignoreMissing);
    await rename(path, rotatedPath(path, 1)).catch(ignoreMissing);
  }
  await syncDirectory(path);
}

/** A lock older than this was left by a writer that died mid-rotation. */
const STALE_LOCK_MS = 60_000;

/**
 * Runs `fn` holding `<path>.lock` (created with O_EXCL), so that two writers of one file (the agent and
 * the CLI) never rotate at the same time. Returns false without running `fn` when another writer holds
 * the lock: that writer is rotating, so this one need not.
 */
export async function withRotationLock(path: string, fn: () => Promise<void>): Promise<boolean> {
  const lock = `${path}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    let handle;
    try {
      handle = await open(lock, 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => Number.POSITIVE_INFINITY);
      if (age < STALE_LOCK_MS) return false;
      await unlink(lock).catch(ignoreMissing);
      continue;
    }
    try {
      await handle.close();
      await fn();
      return true;
    } finally {
      await unlink(lock).catch(ignoreMissing);
    }
  }
  return false;
}
