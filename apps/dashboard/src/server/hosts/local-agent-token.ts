import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { sha256 } from '../auth/sessions';
import { withFileLock } from './file-lock';
import type { Store } from '../store/types';

/** A host id derived from the machine name: lowercase, only characters the protocol allows. */
export function hostIdFromName(name: string): string {
  const id = name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 63);
  return id || 'local';
}

/** Writes a file atomically (temp file, fsync, rename) with the given mode. */
export async function writeFileAtomic(path: string, content: string, mode: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  const handle = await open(temp, 'w', mode);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
}

/**
 * Makes sure the agent on this machine has a token: reuses the token file when the store knows it,
 * otherwise issues a new one (mode 0600) registered for this host. Dashboard servers sharing the data
 * directory take turns, so they agree on one token.
 */
export function ensureLocalAgentToken(store: Store, file: string, name = hostname()): Promise<{ hostId: string; issued: boolean }> {
  return withFileLock(file, () => issueUnlessKnown(store, file, name));
}

async function issueUnlessKnown(store: Store, file: string, name: string): Promise<{ hostId: string; issued: boolean }> {
  const existing = await readFile(file, 'utf8').then((t) => t.trim(), () => '');
  const known = existing ? await store.findHostByTokenHash(sha256(existing)) : undefined;
  if (known) return { hostId: known.id, issued: false };
  const hostId = hostIdFromName(name);
  const token = randomBytes(32).toString('base64url');
  await writeFileAtomic(file, `${token}\n`, 0o600);
  await store.upsertHostToken(hostId, name, sha256(token));
  return { hostId, issued: true };
}
