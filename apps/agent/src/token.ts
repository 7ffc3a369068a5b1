import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

export class TokenFileError extends Error {}

/**
 * Reads the agent token; refuses files that other users can read. The file may sit in a directory of
 * the unprivileged dashboard (`npm start` shares its data directory), so a link planted there must not
 * make this root process read (and send) another file: no symbolic link, no extra hard link.
 */
export async function readTokenFile(path: string): Promise<string> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new TokenFileError(`the token file ${path} is a symbolic link; give the file itself (--token-file)`);
    if (code === 'ENOENT') throw new TokenFileError(`cannot read the token file ${path}: it does not exist (the dashboard issues agent tokens)`);
    throw new TokenFileError(`cannot read the token file ${path}: ${code ?? (err as Error).message}`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new TokenFileError(`the token file ${path} is not a regular file`);
    if (info.nlink !== 1) throw new TokenFileError(`the token file ${path} has ${info.nlink} hard links; keep one (remove the others, or copy the token to a new file)`);
    if ((info.mode & 0o077) !== 0) {
      throw new TokenFileError(`the token file ${path} is readable by other users (mode ${(info.mode & 0o777).toString(8)}); run: chmod 600 ${path}`);
    }
    const token = (await handle.readFile('utf8')).trim();
    if (token.length < 16) throw new TokenFileError(`the token file ${path} does not hold a token (expected at least 16 characters)`);
    return token;
  } finally {
    await handle.close();
  }
}
