import { mkdir, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';

/**
 * Who settles a pending change: the first process to create its claim file (O_EXCL) confirms or
 * reverts it, every other one (the agent, the CLI's reverter, an agent restarted meanwhile) leaves
 * it alone. So a change is reverted at most once, and never both confirmed and reverted.
 */
export type ClaimPurpose = 'confirm' | 'revert';
const claimSchema = z.object({ pid: z.number().int(), purpose: z.enum(['confirm', 'revert']), at: z.number() });
export type Claim = z.infer<typeof claimSchema>;

/** Claim files older than this are removed when a process starts watching (the changes are long settled). */
const CLAIM_KEEP_MS = 7 * 86_400_000;

/** The claims directory beside an audit file: `<dir>/.<file>.claims`, mode 0700. */
export const claimsDir = (auditFile: string) => join(dirname(auditFile), `.${basename(auditFile)}.claims`);

const safeName = (changeId: string) => changeId.replace(/[^A-Za-z0-9_-]/g, '_');

export class Claims {
  constructor(private readonly dir: string) {}

  private path(changeId: string) {
    return join(this.dir, safeName(changeId));
  }

  /** True when this process now owns the change; false when someone claimed it first. */
  async take(changeId: string, purpose: ClaimPurpose): Promise<boolean> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    try {
      const file = await open(this.path(changeId), 'wx', 0o600);
      try {
        await file.writeFile(JSON.stringify({ pid: process.pid, purpose, at: Date.now() }));
        await file.datasync();
      } finally {
        await file.close();
      }
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
  }

  async read(changeId: string): Promise<Claim | null> {
    const text = await readFile(this.path(changeId), 'utf8').catch(() => null);
    if (text === null) return null;
    try {
      return claimSchema.parse(JSON.parse(text));
    } catch {
      return null;
    }
  }

  /** Gives a claim back (its record could not be written: nothing was done). */
  async release(changeId: string): Promise<void> {
    await rm(this.path(changeId), { force: true });
  }

  /**
   * Takes over a revert claimed by a process that died before recording how it ended (a crash, a
   * kill): moves its claim aside, then claims afresh. Only a starting agent does this.
   */
  async takeOver(changeId: string): Promise<boolean> {
    const claim = await this.read(changeId);
    if (claim && processAlive(claim.pid)) return false;
    await rename(this.path(changeId), `${this.path(changeId)}.dead-${process.pid}`).catch(() => undefined);
    return this.take(changeId, 'revert');
  }

  /** Removes claim files of long-settled changes. */
  async prune(now: number): Promise<void> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    for (const name of names) {
      const path = join(this.dir, name);
      const info = await stat(path).catch(() => null);
      if (info && now - info.mtimeMs > CLAIM_KEEP_MS) await rm(path, { force: true });
    }
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
