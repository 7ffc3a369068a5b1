// The packaged agent as a host gets it: `npm run package` twice (the same bytes); the .deb installed on
// this machine by the commands the hosts page gives (download from the dashboard, sha256 check, dpkg,
// agent.env, the token typed at a prompt), started as its unit starts it and seen online; the tarball
// unpacked under a temporary prefix. Both count a namespace's table like `conntrack -C` without the
// checkout, its node_modules or a PATH. The package is purged at the end and must leave nothing.
import { execFile } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, renameSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { enrollmentResponseSchema, type Enrollment } from '@ctscope/protocol';
import { bridgeIntoNetns, createNetns, freePort, generateTraffic, httpsRequest, makeTestPki, run, skipKernelTests, withNetns, verifyUnit, type Netns } from '@ctscope/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_NODE_FLAGS } from '../../../../agent/bin/node-flags.mjs';
import { Cleanups, collectOutput, stop } from './agent-harness';
import { startTestDashboard, TEST_ADMIN_PASSWORD, type TestDashboard } from './test-dashboard';

const ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'apps', 'agent', 'package.json'), 'utf8')) as { version: string }).version;
const DEB = `ctscope-agent_${VERSION}_amd64.deb`;
const TARBALL = `ctscope-agent-${VERSION}-linux-x64.tar.gz`;
const UNIT = '/lib/systemd/system/ctscope-agent.service';
const WANTS = '/etc/systemd/system/multi-user.target.wants/ctscope-agent.service';
/** What the package or its scripts create outside dpkg's file list; nothing of it may survive a purge. */
const STATE_DIRS = ['/etc/ctscope', '/var/lib/ctscope'];
/** The commands run as on a bare host: no node, npm or checkout on the PATH. */
const BARE_ENV = { PATH: '/nonexistent' };

async function build(out: string): Promise<Map<string, string>> {
  await run(process.execPath, [join(ROOT, 'scripts', 'package.mjs'), '--out', out]);
  const sums = await readFile(join(out, 'SHA256SUMS'), 'utf8');
  return new Map(sums.trim().split('\n').map((line) => line.split(/\s+/).reverse() as [string, string]));
}

/** Runs an installed ctscope with a bare environment, from `/`, inside the namespace when given. */
function ctscope(bin: string, args: readonly string[], ns?: Netns): Promise<{ stdout: string; stderr: string }> {
  const argv = ['-i', `PATH=${BARE_ENV.PATH}`, bin, ...args];
  return ns ? ns.exec('env', argv) : run('env', argv);
}

/** `ctscope count` against `conntrack -C` on a namespace full of real traffic (repeated if the table moved meanwhile). */
async function expectCountLikeConntrack(bin: string): Promise<void> {
  await withNetns(async (ns) => {
    await generateTraffic(ns, { tcp: 12, udp: 15, icmp: 3 });
    for (let attempt = 0; ; attempt++) {
      const before = Number((await ns.conntrack(['-C'])).stdout.trim());
      const ours = Number((await ctscope(bin, ['count'], ns)).stdout.trim());
      const after = Number((await ns.conntrack(['-C'])).stdout.trim());
      if (before !== after && attempt < 5) continue;
      expect(before).toBeGreaterThanOrEqual(12 + 15);
      expect(ours).toBe(after);
      break;
    }
    // A dump through ctnetlink (the native addon), not just the count.
    const cli = (await ns.conntrack(['-L', '-p', 'tcp'])).stdout.trim().split('\n');
    const list = (await ctscope(bin, ['list', '-p', 'tcp'], ns)).stdout.trim().split('\n');
    expect(list.length).toBe(cli.length);
  });
}

/** Processes running the installed runtime (an agent the package would have started by itself). */
function runningFrom(exe: string): number[] {
  return readdirSync('/proc')
    .filter((pid) => /^\d+$/.test(pid))
    .filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/exe`) === exe;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/**
 * The agent's command line as systemd runs it: agent.env's settings (EnvironmentFile) as the only
 * environment, ${VAR} in ExecStart replaced by them; as argv for `env`.
 */
function asTheUnitDoes(): string[] {
  const settings = new Map(
    readFileSync('/etc/ctscope/agent.env', 'utf8')
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const),
  );
  const execStart = (/^ExecStart=(.*)$/m.exec(readFileSync(UNIT, 'utf8'))?.[1] ?? '').split(' ').map((a) => a.replace(/^\$\{([A-Z_]+)\}$/, (_, name: string) => settings.get(name) ?? ''));
  return ['-i', `PATH=${BARE_ENV.PATH}`, ...[...settings].map(([k, v]) => `${k}=${v}`), ...execStart];
}

const installed = async () => (await run('dpkg-query', ['-W', '-f=${Status}', 'ctscope-agent']).catch(() => ({ stdout: '' }))).stdout;
const mode = (path: string) => (statSync(path).mode & 0o7777).toString(8);

/**
 * Runs a command the hosts page gives, with /bin/sh (dash, as POSIX as a host's shell gets), on the
 * "host" namespace; its downloads go to a directory of the test's (TMPDIR), removed at the end.
 */
const hostShell = (ns: Netns, command: string, input?: string) => ns.exec('env', [`TMPDIR=${downloads}`, 'sh', '-c', command], input);
let downloads = '';

async function addHost(dash: TestDashboard, cookie: string, id: string): Promise<Enrollment> {
  const res = await fetch(`${dash.url}/api/hosts`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ id, hostname: id }) });
  return enrollmentResponseSchema.parse(await res.json()).enrollment;
}

describe.skipIf(skipKernelTests())('the packaged agent (.deb and tarball)', () => {
  const cleanups = new Cleanups();
  let enrollment: Enrollment;
  let work = '';
  let sums = new Map<string, string>();
  const backups: [string, string][] = [];

  beforeAll(async () => {
    if ((await installed()).includes('installed')) throw new Error('ctscope-agent is installed on this machine; this test installs and purges it: remove it first (dpkg -P ctscope-agent)');
    work = await mkdtemp(join(tmpdir(), 'ctscope-pkg-test-'));
    // A checkout's agent run as root keeps its audit log in /var/lib/ctscope: set it aside, not purge it.
    for (const dir of STATE_DIRS) {
      if (!existsSync(dir)) continue;
      const aside = `${dir}.ctscope-test-${process.pid}`;
      renameSync(dir, aside);
      backups.push([dir, aside]);
    }
    sums = await build(join(work, 'a'));
    downloads = join(work, 'downloads');
    await mkdir(downloads);
  }, 180_000);

  afterAll(async () => {
    await cleanups.run();
    if ((await installed()).length > 0) await run('dpkg', ['--purge', 'ctscope-agent']).catch(() => undefined);
    // Whatever is there now is the test's (what was there before was set aside): even a failed purge leaves nothing.
    for (const dir of STATE_DIRS) await rm(dir, { recursive: true, force: true });
    for (const [dir, aside] of backups) renameSync(aside, dir);
    if (work) await rm(work, { recursive: true, force: true });
  }, 60_000);

  it('builds the same bytes from the same sources, with a SHA256SUMS that sha256sum -c accepts', async () => {
    expect([...sums.keys()].sort()).toEqual([TARBALL, DEB].sort());
    // Under another umask (it once left the .deb's root directory 0700).
    const umask = process.umask(0o077);
    const again = await build(join(work, 'b')).finally(() => process.umask(umask));
    expect(again).toEqual(sums);
    const check = await runIn(join(work, 'a'), 'sha256sum', ['-c', 'SHA256SUMS']);
    expect(check).toContain(`${DEB}: OK`);
    expect(check).toContain(`${TARBALL}: OK`);
  }, 120_000);

  it('makes a .deb with the conffile, the unit, the runtime and a private state directory', async () => {
    const deb = join(work, 'a', DEB);
    const info = (await run('dpkg-deb', ['--info', deb])).stdout;
    expect(info).toMatch(/^ Package: ctscope-agent$/m);
    expect(info).toMatch(new RegExp(`^ Version: ${VERSION.replaceAll('.', '\\.')}$`, 'm'));
    expect(info).toMatch(/^ Architecture: amd64$/m);
    expect((await run('dpkg-deb', ['--info', deb, 'conffiles'])).stdout.trim()).toBe('/etc/ctscope/agent.env');
    const contents = (await run('dpkg-deb', ['--contents', deb])).stdout;
    for (const path of ['./usr/bin/ctscope', './usr/lib/ctscope/node', './usr/lib/ctscope/ctscope.mjs', `.${UNIT}`, './etc/ctscope/agent.env']) expect(contents).toContain(` ${path}\n`);
    expect(contents).toMatch(/^drwx------ root\/root +0 [\d-]+ [\d:]+ \.\/var\/lib\/ctscope\/$/m);
    expect(contents).not.toMatch(/\.\/etc\/ctscope\/agent\.token/);
  });

  it('installs with the hosts page commands (download, sha256, dpkg, agent.env, token at a prompt): not started without a token; started as its unit does, online', async () => {
    const port = await freePort();
    const dash = await startTestDashboard({ port, env: { CTSCOPE_PUBLIC_URL: `http://127.0.0.1:${port}`, CTSCOPE_RELEASE_DIR: join(work, 'a') } });
    cleanups.add(() => dash.close());
    const ns = await createNetns();
    cleanups.add(() => ns.destroy());
    // The host being enrolled reaches the dashboard at the same URL as this machine does.
    cleanups.add((await bridgeIntoNetns(ns, port, port)).close);
    const cookie = await dash.login();
    enrollment = await addHost(dash, cookie, 'packaged');
    const deb = enrollment.install.find((p) => p.kind === 'deb');
    expect(deb?.sha256).toBe(sums.get(DEB));

    // A tampered download is refused before dpkg runs.
    const tampered = enrollment.install.map((p) => ({ ...p, command: p.command.replace(p.sha256, '0'.repeat(64)) }));
    await expect(hostShell(ns, tampered[0]?.command ?? '')).rejects.toThrow(/computed checksum did NOT match/);
    expect(await installed()).toBe('');

    await hostShell(ns, deb?.command ?? '');
    expect(await installed()).toBe('install ok installed');
    expect((await ctscope('/usr/bin/ctscope', ['--version'])).stdout).toBe(`ctscope ${VERSION}\n`);
    expect((await run('/usr/lib/ctscope/node', ['--version'])).stdout.trim()).toBe(process.version);
    expect(readFileSync('/usr/bin/ctscope', 'utf8')).toContain(`exec "$lib/node" ${AGENT_NODE_FLAGS.join(' ')} "$lib/ctscope.mjs" "$@"`);
    expect(mode('/var/lib/ctscope')).toBe('700');
    expect(lstatSync(WANTS).isSymbolicLink()).toBe(true);
    expect(existsSync('/etc/ctscope/agent.token')).toBe(false);
    expect(runningFrom('/usr/lib/ctscope/node')).toEqual([]);
    // Nothing in the installed code points back at this checkout.
    const bundle = readdirSync('/usr/lib/ctscope/chunks').map((f) => readFileSync(join('/usr/lib/ctscope/chunks', f), 'utf8')).join('') + readFileSync('/usr/lib/ctscope/ctscope.mjs', 'utf8');
    expect(bundle).not.toContain(ROOT);
    expect(await verifyUnit(UNIT)).toBe('');

    // Point it at the dashboard, type the token at the prompt, start it as its unit does: online.
    await hostShell(ns, enrollment.configureCommand);
    await hostShell(ns, enrollment.writeTokenCommand, `${enrollment.token}\n`);
    expect(readFileSync('/etc/ctscope/agent.token', 'utf8')).toBe(`${enrollment.token}\n`);
    expect(mode('/etc/ctscope/agent.token')).toBe('600');
    const env = readFileSync('/etc/ctscope/agent.env', 'utf8');
    expect(env).toBe(`CTSCOPE_DASHBOARD=http://127.0.0.1:${port}\n`);
    const agent = ns.spawn('env', asTheUnitDoes());
    const output = collectOutput(agent);
    cleanups.add(() => stop(agent));
    await expect
      .poll(async () => JSON.stringify(await (await fetch(`${dash.url}/api/hosts`, { headers: { cookie } })).json()), { timeout: 20_000, interval: 250 })
      .toMatch(/"id":"packaged"[^}]*"online":true/);
    expect(runningFrom('/usr/lib/ctscope/node').length, output.text()).toBe(1);
    await cleanups.run();
  }, 90_000);

  it('counts a namespace like conntrack -C once installed by dpkg', async () => {
    await expectCountLikeConntrack('/usr/bin/ctscope');
  });

  it('refuses to run when a non-root user could change any file it loads, the native addons under node_modules too', async () => {
    const addon = '/usr/lib/ctscope/node_modules/netlink/prebuilds/linux-x64/node.napi.node';
    await run('chown', ['65534:65534', addon]);
    // The agent logs to stdout; one that is not refused runs until timeout stops it (exit 124).
    const refusal = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      execFile('timeout', ['15', 'env', ...asTheUnitDoes()], { encoding: 'utf8' }, (err, stdout) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout }));
    }).finally(() => run('chown', ['0:0', addon]));
    expect(refusal.stdout).toContain(`refusing to run as root from ${addon}: it belongs to uid 65534, not root`);
    expect(refusal.code).toBe(1);
  });

  it('reaches an HTTPS dashboard whose certificate a test CA signed (CTSCOPE_CA_FILE in agent.env); refuses another CA and plain http off loopback, saying what to do', async () => {
    // This host's settings as the other tests expect them, put back however this one ends.
    const settings = ['/etc/ctscope/agent.env', '/etc/ctscope/agent.token'].map((f) => [f, readFileSync(f, 'utf8')] as const);
    try {
      await httpsEnrollment();
    } finally {
      await cleanups.run();
      for (const [file, text] of settings) await writeFile(file, text);
      await rm('/etc/ctscope/ca.pem', { force: true });
    }
  }, 90_000);

  async function httpsEnrollment(): Promise<void> {
    const pki = await makeTestPki(await mkdtemp(join(work, 'pki-')));
    const port = await freePort();
    const url = `https://127.0.0.1:${port}`;
    const dash = await startTestDashboard({ port, env: { CTSCOPE_TLS_CERT: pki.certFile, CTSCOPE_TLS_KEY: pki.keyFile, CTSCOPE_PUBLIC_URL: url, CTSCOPE_RELEASE_DIR: join(work, 'a') } });
    cleanups.add(() => dash.close());
    expect(dash.url).toBe(url);
    const ns = await createNetns();
    cleanups.add(() => ns.destroy());
    cleanups.add((await bridgeIntoNetns(ns, port, port)).close);
    const login = await httpsRequest(`${url}/api/auth/login`, pki.caFile, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: TEST_ADMIN_PASSWORD }) });
    const cookie = String(login.headers['set-cookie'] ?? '').split(';')[0] ?? '';
    const added = await httpsRequest(`${url}/api/hosts`, pki.caFile, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ id: 'packaged-tls', hostname: 'packaged-tls' }) });
    const tls = enrollmentResponseSchema.parse(JSON.parse(added.body)).enrollment;
    const online = async () => (JSON.parse((await httpsRequest(`${url}/api/hosts`, pki.caFile, { headers: { cookie } })).body) as { hosts: { id: string; online: boolean }[] }).hosts.some((h) => h.id === 'packaged-tls' && h.online);

    await hostShell(ns, tls.configureCommand);
    await hostShell(ns, tls.writeTokenCommand, `${tls.token}\n`);
    expect(readFileSync('/etc/ctscope/agent.env', 'utf8')).toBe(`CTSCOPE_DASHBOARD=${url}\n`);
    const pinCa = async (pem: string) => {
      await run('install', ['-o', 'root', '-g', 'root', '-m', '0644', pem, '/etc/ctscope/ca.pem']);
      await writeFile('/etc/ctscope/agent.env', `CTSCOPE_DASHBOARD=${url}\nCTSCOPE_CA_FILE=/etc/ctscope/ca.pem\n`);
    };

    // A CA that did not sign the dashboard's certificate: refused, and told where the right one goes.
    await pinCa(pki.otherCaFile);
    const doubting = ns.spawn('env', asTheUnitDoes());
    const doubts = collectOutput(doubting);
    cleanups.add(() => stop(doubting));
    await expect.poll(() => doubts.text(), { timeout: 15_000, interval: 250 }).toContain('cannot trust the dashboard');
    expect(doubts.text()).toContain('not signed by the CA in --ca-file /etc/ctscope/ca.pem');
    expect(doubts.text()).toContain('CTSCOPE_CA_FILE in /etc/ctscope/agent.env');
    expect(await online()).toBe(false);
    await stop(doubting);

    // The right CA: online, the certificate verified end to end through the bridge.
    await pinCa(pki.caFile);
    const agent = ns.spawn('env', asTheUnitDoes());
    const output = collectOutput(agent);
    cleanups.add(() => stop(agent));
    await expect.poll(online, { timeout: 20_000, interval: 250 }).toBe(true);
    await expect.poll(() => output.text(), { timeout: 5_000, interval: 100 }).toContain('dashboard accepted this agent');
    await stop(agent);

    // Plain http to an address that is not loopback: refused at start (exit 2, the unit does not restart it).
    await writeFile('/etc/ctscope/agent.env', 'CTSCOPE_DASHBOARD=http://192.0.2.10:3000\n');
    const refusal = await ns.exec('env', asTheUnitDoes()).then(
      () => 'started',
      (err: Error) => err.message,
    );
    expect(refusal).toContain('--dashboard http://192.0.2.10:3000 is plain HTTP to an address that is not loopback');
    expect(refusal).toMatch(/use its https:\/\/ URL.*CTSCOPE_INSECURE_HTTP=1 in \/etc\/ctscope\/agent\.env/);
    // Accepting the risk in agent.env: it runs (TEST-NET-1 never answers) and warns.
    await writeFile('/etc/ctscope/agent.env', 'CTSCOPE_DASHBOARD=http://192.0.2.10:3000\nCTSCOPE_INSECURE_HTTP=1\n');
    const insecure = ns.spawn('env', asTheUnitDoes());
    const warned = collectOutput(insecure);
    cleanups.add(() => stop(insecure));
    await expect.poll(() => warned.text(), { timeout: 15_000, interval: 250 }).toContain('--insecure-http: this agent talks to the dashboard over plain HTTP');
    expect(insecure.exitCode).toBeNull();
  }

  it('upgrades in place: dpkg -i of a newer package keeps agent.env and the token, asking nothing', async () => {
    // The same package under a higher version, as the next release would come.
    const tree = join(work, 'newer');
    await run('dpkg-deb', ['--raw-extract', join(work, 'a', DEB), tree]);
    const control = join(tree, 'DEBIAN', 'control');
    await writeFile(control, readFileSync(control, 'utf8').replace(/^Version: .*$/m, `Version: ${VERSION}+1`));
    const newer = join(work, 'newer.deb');
    await run('dpkg-deb', ['--root-owner-group', '-Zgzip', '-z1', '--build', tree, newer]);
    await rm(tree, { recursive: true, force: true });
    const env = readFileSync('/etc/ctscope/agent.env', 'utf8');
    // stdin at EOF: a conffile question would fail the install instead of waiting.
    await run('dpkg', ['--install', newer], '');
    expect((await run('dpkg-query', ['-W', '-f=${Version}', 'ctscope-agent'])).stdout).toBe(`${VERSION}+1`);
    expect(readFileSync('/etc/ctscope/agent.env', 'utf8')).toBe(env);
    expect(readFileSync('/etc/ctscope/agent.token', 'utf8')).toBe(`${enrollment.token}\n`);
    expect(mode('/var/lib/ctscope')).toBe('700');
    expect((await ctscope('/usr/bin/ctscope', ['--version'])).stdout).toBe(`ctscope ${VERSION}\n`);
  }, 60_000);

  it('unpacked under a temporary prefix, runs the same, also through a symlink', async () => {
    const prefix = join(work, 'prefix');
    await run('mkdir', ['-p', prefix]);
    await run('tar', ['-xzf', join(work, 'a', TARBALL), '-C', prefix, '--strip-components=1']);
    const link = join(work, 'ctscope-link');
    await symlink(join(prefix, 'bin', 'ctscope'), link);
    expect((await ctscope(link, ['--version'])).stdout).toBe(`ctscope ${VERSION}\n`);
    expect(readFileSync(join(prefix, 'lib', 'systemd', 'system', 'ctscope-agent.service'), 'utf8')).toBe(readFileSync(UNIT, 'utf8'));
    await expectCountLikeConntrack(link);
  });

  it('dpkg -r removes the program and keeps the settings; dpkg -P leaves nothing behind', async () => {
    expect(existsSync('/etc/ctscope/agent.token')).toBe(true);
    await writeFile('/var/lib/ctscope/audit.jsonl', '{}\n');
    const files = (await run('dpkg-query', ['-L', 'ctscope-agent'])).stdout.split('\n').filter((f) => f.startsWith('/usr/lib/ctscope/') || f === '/usr/bin/ctscope' || f === UNIT);
    expect(files.length).toBeGreaterThan(10);

    await run('dpkg', ['--remove', 'ctscope-agent']);
    expect(files.filter((f) => existsSync(f))).toEqual([]);
    expect(existsSync('/usr/lib/ctscope')).toBe(false);
    expect(existsSync(WANTS)).toBe(false);
    expect(existsSync('/etc/ctscope/agent.env')).toBe(true);

    await run('dpkg', ['--purge', 'ctscope-agent']);
    expect(await installed()).toBe('');
    expect(STATE_DIRS.filter((d) => existsSync(d))).toEqual([]);
    expect(existsSync(UNIT)).toBe(false);
  });
});

function runIn(cwd: string, cmd: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, encoding: 'utf8' }, (err, stdout, stderr) => (err ? reject(new Error(`${cmd} failed: ${stderr}`)) : resolve(stdout)));
  });
}
