import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { appendFile, chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './run';

const PG_ROOT = '/usr/lib/postgresql';
/** initdb refuses to run as root: as root the cluster belongs to this account (Debian's package creates it). */
const PG_USER = 'postgres';

/** The bin directory of the newest PostgreSQL from Debian's packages, or null. */
export function postgresBinDir(): string | null {
  if (!existsSync(PG_ROOT)) return null;
  const versions = readdirSync(PG_ROOT)
    .filter((v) => /^\d+$/.test(v) && existsSync(join(PG_ROOT, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(PG_ROOT, versions[0], 'bin') : null;
}

/** Why a throwaway PostgreSQL cannot start here, or null when it can. */
export function postgresUnavailableReason(): string | null {
  if (!postgresBinDir()) return `no PostgreSQL under ${PG_ROOT}: install the Debian package postgresql (npm test does)`;
  return null;
}

/** For `describe.skipIf(...)`: skip outside CI, throw under CI so a missing PostgreSQL is never a green run. */
export function skipPostgresTests(): boolean {
  const reason = postgresUnavailableReason();
  if (reason === null) return false;
  if (process.env.CI === 'true') throw new Error(`CI=true requires the PostgreSQL tests: ${reason}`);
  console.warn(`skipping PostgreSQL tests: ${reason}`);
  return true;
}

export interface ThrowawayPostgres {
  /** postgres://… of the database created for the test. */
  url: string;
  /** Creates another empty database on the same server; returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server and deletes its files. */
  stop(): Promise<void>;
}

/** Servers started and not yet stopped: pg_ctl detaches them, so a test run that dies early stops them on exit. */
const running = new Map<string, readonly string[]>();
let exitHookInstalled = false;
function stopLeftoversOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const [dir, stopCommand] of running) {
      try {
        execFileSync(stopCommand[0] ?? 'false', stopCommand.slice(1), { stdio: 'ignore', timeout: 20_000 });
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function uidGidOf(user: string): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([run('id', ['-u', user]), run('id', ['-g', user])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/**
 * Starts a PostgreSQL server of its own in a temporary directory: `initdb`, then `pg_ctl start` listening
 * on a free loopback port (password required) and on a unix socket inside that private directory.
 * Creates one database; `stop()` shuts the server down and deletes everything.
 */
export async function startPostgres(database = 'ctscope_test'): Promise<ThrowawayPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(postgresUnavailableReason() ?? 'PostgreSQL is missing');
  const asRoot = process.getuid?.() === 0;
  const pgRun = (tool: string, args: readonly string[]) => (asRoot ? run('runuser', ['-u', PG_USER, '--', join(bin, tool), ...args]) : run(join(bin, tool), args));

  const dir = await mkdtemp(join(tmpdir(), 'ctscope-pg-'));
  const data = join(dir, 'data');
  const stopArgs = ['-D', data, '-m', 'fast', '-w', 'stop'];
  running.set(dir, asRoot ? ['runuser', '-u', PG_USER, '--', join(bin, 'pg_ctl'), ...stopArgs] : [join(bin, 'pg_ctl'), ...stopArgs]);
  stopLeftoversOnExit();
  let started = false;
  const stop = async () => {
    if (started) await pgRun('pg_ctl', stopArgs).catch(() => undefined);
    started = false;
    await rm(dir, { recursive: true, force: true });
    running.delete(dir);
  };
  try {
    if (asRoot) {
      const { uid, gid } = await uidGidOf(PG_USER);
      await chown(dir, uid, gid);
    }
    await chmod(dir, 0o700);
    const password = randomBytes(18).toString('base64url');
    const passwordFile = join(dir, 'password');
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    if (asRoot) {
      const { uid, gid } = await uidGidOf(PG_USER);
      await chown(passwordFile, uid, gid);
    }
    await pgRun('initdb', ['-D', data, '-U', PG_USER, `--pwfile=${passwordFile}`, '--auth-host=scram-sha-256', '--auth-local=trust', '-E', 'UTF8', '--locale=C', '--no-instructions']);
    const port = await freeLoopbackPort();
    // Settings go into the config file rather than through pg_ctl -o, whose value a shell would parse.
    await appendFile(
      join(data, 'postgresql.conf'),
      [`listen_addresses = '127.0.0.1'`, `port = ${port}`, `unix_socket_directories = '${dir}'`, 'fsync = off', 'max_connections = 50', ''].join('\n'),
    );
    started = true;
    await pgRun('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
    const createDatabase = async (name: string) => {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a plain database name: ${name}`);
      await pgRun('createdb', ['-h', dir, '-p', String(port), '-U', PG_USER, name]);
      return `postgres://${PG_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${name}`;
    };
    return { url: await createDatabase(database), createDatabase, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
