import { spawn } from 'node:child_process';
import { chown, lchown, link, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, skipKernelTests } from '@ctscope/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { DASHBOARD_USER, giveDirectory, lookupUser } from '../../../../../scripts/lib/dashboard-user.mjs';
import { startDashboard, waitForHealth } from '../../../../../scripts/lib/stack.mjs';
import { Cleanups, collectOutput, stop } from './agent-harness';

const DASHBOARD_DIR = fileURLToPath(new URL('../../..', import.meta.url));
const cleanups = new Cleanups();
afterEach(() => cleanups.run());

/** Real, effective, saved and filesystem uids (and gids) of a process, from /proc/PID/status. */
async function ids(pid: number): Promise<{ uids: number[]; gids: number[]; groups: string; capEff: string }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => /^(\w+):\s*(.*)$/m.exec(status.split('\n').find((l) => l.startsWith(`${name}:`)) ?? '')?.[2]?.trim() ?? '';
  return { uids: field('Uid').split(/\s+/).map(Number), gids: field('Gid').split(/\s+/).map(Number), groups: field('Groups'), capEff: field('CapEff') };
}

// Root is what is being tested: npm start (and the demo, the cluster, the e2e and bench dashboards) as root.
describe.skipIf(skipKernelTests())('the dashboard under root', () => {
  it('is started by the launcher npm start uses as the unprivileged user ctscope, owning its data directory', async () => {
    // A root-only directory (mkdtemp makes it 0700), as the e2e tests' data directories are: it is handed over.
    const dataDir = await mkdtemp(join(tmpdir(), 'ctscope-unpriv-'));
    cleanups.add(() => rm(dataDir, { recursive: true, force: true }));
    const port = await freePort();
    const child = startDashboard({ port, dataDir, stdio: ['ignore', 'pipe', 'pipe'], env: { CTSCOPE_ADMIN_PASSWORD: 'unprivileged test password', CTSCOPE_LOG_LEVEL: 'warn' } });
    cleanups.add(() => stop(child));
    const output = collectOutput(child);
    await waitForHealth(`http://127.0.0.1:${port}`, child).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\n${output.text()}`);
    });

    const user = lookupUser(DASHBOARD_USER);
    expect(user, 'the launcher creates the system user').not.toBeNull();
    expect(user!.uid).not.toBe(0);
    const { uids, gids, groups, capEff } = await ids(child.pid!);
    expect(uids).toEqual([user!.uid, user!.uid, user!.uid, user!.uid]);
    expect(gids).toEqual([user!.gid, user!.gid, user!.gid, user!.gid]);
    expect(groups).toBe('');
    expect(BigInt(`0x${capEff}`)).toBe(0n);
    // It owns what it writes: the data directory (private) and the store in it.
    const dir = await stat(dataDir);
    expect([dir.uid, dir.mode & 0o777]).toEqual([user!.uid, 0o700]);
    expect((await stat(join(dataDir, 'ctscope.sqlite'))).uid).toBe(user!.uid);
    expect((await stat(join(dataDir, 'local-agent.token'))).uid).toBe(user!.uid);
  });

  it('hands over what an earlier run as root left in the data directory, and nothing the user could point it at', async () => {
    const nobody = { name: 'nobody', uid: 65534, gid: 65534, home: '/nonexistent' };
    const top = await mkdtemp(join(tmpdir(), 'ctscope-give-'));
    cleanups.add(() => rm(top, { recursive: true, force: true }));
    const outside = join(top, 'outside.txt');
    await writeFile(outside, 'root only');
    const data = join(top, 'data');
    await mkdir(join(data, 'old'), { recursive: true });
    await writeFile(join(data, 'old', 'ctscope.sqlite'), '');
    giveDirectory(data, nobody);
    for (const path of [data, join(data, 'old'), join(data, 'old', 'ctscope.sqlite')]) expect((await stat(path)).uid).toBe(65534);

    // The user's own link to a root file, and a second hard link to one: root neither follows nor chowns them.
    await symlink(outside, join(data, 'old', 'link'));
    await lchown(join(data, 'old', 'link'), 65534, 65534);
    const rootAgain = () => Promise.all([chown(data, 0, 0), chown(join(data, 'old'), 0, 0)]);
    await rootAgain();
    giveDirectory(data, nobody);
    expect((await stat(join(data, 'old'))).uid).toBe(65534);
    expect((await stat(outside)).uid).toBe(0);
    await link(outside, join(data, 'old', 'hard'));
    await rootAgain();
    expect(() => giveDirectory(data, nobody)).toThrow(/hard links/);
    expect((await stat(outside)).uid).toBe(0);
  });

  it('refuses to start when run as root directly, saying how to run it', async () => {
    const neverCreated = join(tmpdir(), `ctscope-never-created-${process.pid}`);
    const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], { cwd: DASHBOARD_DIR, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORT: String(await freePort()), CTSCOPE_DATA_DIR: neverCreated } });
    cleanups.add(() => stop(child));
    const output = collectOutput(child);
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(1);
    expect(output.text()).toContain('refusing to run as root');
    expect(output.text()).toContain('npm start');
    await expect(stat(neverCreated)).rejects.toThrow();
  });
});
