import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemdAnalyzeMissing, unitValue, verifyUnit } from '@ctscope/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config';

const UNIT = new URL('../../deploy/ctscope-dashboard.service', import.meta.url);

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
    expect(await verifyUnit(copy)).toBe('');
  });

  it.skipIf(missing !== null)('is checked for real: a broken copy is reported', async () => {
    const broken = join(dir, 'broken-dashboard.service');
    await writeFile(broken, unit.replace('ProtectSystem=strict', 'ProtectSystem=very').replace('NoNewPrivileges=yes', 'NoNewPrivilege=yes'));
    const remarks = await verifyUnit(broken);
    expect(remarks).toMatch(/protect system value.*very/);
    expect(remarks).toMatch(/NoNewPrivilege/);
  });

  it('runs as the unprivileged user with no capability and a read-only system', () => {
    expect(unitValue(unit, 'User')).toBe('ctscope');
    expect(unitValue(unit, 'Group')).toBe('ctscope');
    expect(unitValue(unit, 'CapabilityBoundingSet')).toBe('');
    expect(unitValue(unit, 'AmbientCapabilities')).toBe('');
    expect(unitValue(unit, 'NoNewPrivileges')).toBe('yes');
    expect(unitValue(unit, 'ProtectSystem')).toBe('strict');
    expect(unit).not.toMatch(/^ReadWritePaths=/m);
  });

  it('keeps the store in its own state directory, as the dashboard reads its configuration', () => {
    const env = Object.fromEntries(unitValue(unit, 'Environment').split(' ').map((pair) => pair.split('=') as [string, string]));
    const config = loadConfig({ ...env, NODE_ENV: 'production' }, unitValue(unit, 'WorkingDirectory'));
    expect(config.dataDir).toBe(`/var/lib/${unitValue(unit, 'StateDirectory')}`);
    expect(unitValue(unit, 'StateDirectoryMode')).toBe('0700');
    expect(unitValue(unit, 'WorkingDirectory')).toMatch(/\/apps\/dashboard$/);
    expect(unitValue(unit, 'ExecStart')).toBe('/usr/bin/node --import tsx server.ts');
    // server.ts reloads the TLS certificate on SIGHUP.
    expect(unitValue(unit, 'ExecReload')).toBe('/bin/kill -HUP $MAINPID');
  });
});
