import { constants, type Stats } from 'node:fs';
import { access, open, readFile, readdir, realpath, stat } from 'node:fs/promises';

/**
 * The file operations this package performs, injectable so tests can fake failures. The default
 * implementation is plain node:fs; nothing here ever runs a command.
 */
export interface SysctlIo {
  readFile(path: string): Promise<string>;
  /** Overwrites an existing file (O_WRONLY|O_TRUNC, never creates): how a sysctl is written. */
  writeExisting(path: string, content: string): Promise<void>;
  readdir(path: string): Promise<string[]>;
  stat(path: string): Promise<Stats>;
  /** Resolves when the file may be written by this process (access(2) W_OK). */
  accessWrite(path: string): Promise<void>;
  realpath(path: string): Promise<string>;
}

export const nodeIo: SysctlIo = {
  readFile: (path) => readFile(path, 'utf8'),
  async writeExisting(path, content) {
    const handle = await open(path, constants.O_WRONLY | constants.O_TRUNC);
    try {
      await handle.write(content);
    } finally {
      await handle.close();
    }
  },
  readdir: (path) => readdir(path),
  stat: (path) => stat(path),
  accessWrite: (path) => access(path, constants.W_OK),
  realpath: (path) => realpath(path),
};

/** errno code of a Node fs error, if any. */
export function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
