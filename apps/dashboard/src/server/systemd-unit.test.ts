import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config';

const run = promisify(execFile);
const UNIT = new URL('../../deploy/ctscope-dashboard.service', import.meta.url);

async function systemdAnalyzeMissing(): Promise<string | null> {
  try {
    await run('systemd-analyze', ['--version']);
    return null;
  } catch {
    if (process.env.CI === 'true') throw new Error('CI=true requires systemd-analyze (Debian package systemd)');
    return 'systemd-analyze is not installed';
  }
}

/** Everything `systemd-analyze verify` says about a unit file; empty means it is clean. */
async function verify(file: string): Promise<string> {
  try {
    const { stdout, stderr } = await run('systemd-analyze', ['verify', file]);
    return `${stdout}${stderr}`.trim();
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    return `${e.stdout ?? ''}${e.stderr ?? ''}`.trim() || e.message;
  }
}

function serviceValue(unit: string, key: string): string {
  const line = unit.split('\n').find((l) => l.startsWith(`${key}=`));
  if (line === undefined) throw new Error(`no ${key}= in the unit`);
  return line.slice(key.length + 1);
}

describe('systemd unit for the dashboard', async () => {
  const missing = await systemdAnalyzeMissing();
  let dir = '';
  let unit = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ctscope-dashboard-unit-'));
    unit = await readFile(UNIT, 'utf8');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.skipIf(missing !== null)('passes systemd-analyze verify without a single remark', async () => {
    const copy = join(dir, 'ctscope-dashboard.service');
    await writeFile(copy, unit);
    expect(await verify(copy)).toBe('');
  });

  it.skipIf(missing !== null)('is checked for real: a broken copy is reported', async () => {
    const broken = join(dir, 'broken-dashboard.service');
    await writeFile(broken, unit.replace('ProtectSystem=strict', 'ProtectSystem=very').replace('NoNewPrivileges=yes', 'NoNewPrivilege=yes'));
    const remarks = await verify(broken);
    expect(remarks).toMatch(/protect system value.*very/);
    expect(remarks).toMatch(/NoNewPrivilege/);
  });

  it('runs as the unprivileged user with no capability and a read-only system', () => {
    expect(serviceValue(unit, 'User')).toBe('ctscope');
    expect(serviceValue(unit, 'Group')).toBe('ctscope');
    expect(serviceValue(unit, 'CapabilityBoundingSet')).toBe('');
    expect(serviceValue(unit, 'AmbientCapabilities')).toBe('');
    expect(serviceValue(unit, 'NoNewPrivileges')).toBe('yes');
    expect(serviceValue(unit, 'ProtectSystem')).toBe('strict');
    expect(unit).not.toMatch(/^ReadWritePaths=/m);
  });

  it('keeps the store in its own state directory, as the dashboard reads its configuration', () => {
    const env = Object.fromEntries(serviceValue(unit, 'Environment').split(' ').map((pair) => pair.split('=') as [string, string]));
    const config = loadConfig({ ...env, NODE_ENV: 'production' }, serviceValue(unit, 'WorkingDirectory'));
    expect(config.dataDir).toBe(`/var/lib/${serviceValue(unit, 'StateDirectory')}`);
    expect(serviceValue(unit, 'StateDirectoryMode')).toBe('0700');
    expect(serviceValue(unit, 'WorkingDirectory')).toMatch(/\/apps\/dashboard$/);
    expect(serviceValue(unit, 'ExecStart')).toBe('/usr/bin/node --import tsx server.ts');
    // server.ts reloads the TLS certificate on SIGHUP.
    expect(serviceValue(unit, 'ExecReload')).toBe('/bin/kill -HUP $MAINPID');
  });
});
