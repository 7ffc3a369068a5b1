import { open, rename, unlink } from 'node:fs/promises';
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
