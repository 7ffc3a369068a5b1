import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { agentPackageSchema, type AgentPackage } from '@ctscope/protocol';

export const SUMS_FILE = 'SHA256SUMS';

export interface Release {
  /** SHA256SUMS as written by `npm run package`, served as is. */
  sums: string;
  packages: AgentPackage[];
}

const kindOf = (file: string): AgentPackage['kind'] => (file.endsWith('.deb') ? 'deb' : 'tarball');

/**
 * The agent packages in `dir` (what `npm run package` wrote there): each line of its SHA256SUMS whose
 * file is present. A missing directory or SHA256SUMS is no release (null); a malformed line is skipped.
 * Read at each call: a dashboard picks up a rebuilt release without a restart.
 */
export async function readRelease(dir: string): Promise<Release | null> {
  let sums: string;
  try {
    sums = await readFile(join(dir, SUMS_FILE), 'utf8');
  } catch {
    return null;
  }
  const packages: AgentPackage[] = [];
  for (const line of sums.split('\n')) {
    const match = /^([0-9a-f]{64}) [ *](\S+)$/.exec(line);
    if (!match) continue;
    const parsed = agentPackageSchema.safeParse({ sha256: match[1], file: match[2], kind: kindOf(match[2] ?? '') });
    if (!parsed.success) continue;
    const present = await stat(join(dir, parsed.data.file)).then((s) => s.isFile(), () => false);
    if (present) packages.push(parsed.data);
  }
  // The .deb first: it is what most hosts install.
  packages.sort((a, b) => (a.kind === b.kind ? a.file.localeCompare(b.file) : a.kind === 'deb' ? -1 : 1));
  return { sums, packages };
}
