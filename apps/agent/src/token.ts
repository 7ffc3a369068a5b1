import { readFile, stat } from 'node:fs/promises';

export class TokenFileError extends Error {}

/** Reads the agent token; refuses files that other users can read. */
export async function readTokenFile(path: string): Promise<string> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new TokenFileError(`cannot read the token file ${path}: it does not exist (the dashboard issues agent tokens)`);
  }
  if ((info.mode & 0o077) !== 0) {
    throw new TokenFileError(`the token file ${path} is readable by other users (mode ${(info.mode & 0o777).toString(8)}); run: chmod 600 ${path}`);
  }
  const token = (await readFile(path, 'utf8')).trim();
  if (token.length < 16) throw new TokenFileError(`the token file ${path} does not hold a token (expected at least 16 characters)`);
  return token;
}
