import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemdAnalyzeMissing, unitValue, verifyUnit } from '@ctscope/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAgentConfig } from '../config';

const UNIT = new URL('../../deploy/ctscope-agent.service', import.meta.url);

describe('systemd unit for the agent', async () => {
  const missing = await systemdAnalyzeMissing();
  let dir = '';
  let unit = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ctscope-unit-'));
    unit = await readFile(UNIT, 'utf8');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  // /usr/bin/ctscope comes with the package (package.kernel.test.ts verifies the installed unit as is);
  // here an executable stands in for it.
  const withLauncher = async (text: string) => {
    const launcher = join(dir, 'ctscope');
    await writeFile(launcher, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    return text.replace('ExecStart=/usr/bin/ctscope ', `ExecStart=${launcher} `);
  };

  it.skipIf(missing !== null)('passes systemd-analyze verify without a single remark', async () => {
    const copy = join(dir, 'ctscope-agent.service');
    await writeFile(copy, await withLauncher(unit));
    expect(await verifyUnit(copy)).toBe('');
  });

  it.skipIf(missing !== null)('is checked for real: a broken copy is reported', async () => {
    const broken = join(dir, 'broken-agent.service');
    await writeFile(broken, (await withLauncher(unit)).replace('Restart=always', 'Restart=sometimes').replace('NoNewPrivileges=yes', 'NoNewPrivilege=yes'));
    const remarks = await verifyUnit(broken);
    expect(remarks).toMatch(/restart specifier.*sometimes/);
    expect(remarks).toMatch(/NoNewPrivilege/);
  });

  it('starts the packaged agent with options the agent accepts, once the token exists', () => {
    const [launcher, ...argv] = unitValue(unit, 'ExecStart').split(' ');
    expect(launcher).toBe('/usr/bin/ctscope');
    expect(argv[0]).toBe('agent');
    const config = parseAgentConfig(argv.slice(1).map((a) => a.replace('${CTSCOPE_DASHBOARD}', 'https://ctscope.example.internal')), {});
    expect(config.tokenFile).toBe('/etc/ctscope/agent.token');
    expect(config.auditFile).toBe('/var/lib/ctscope/audit.jsonl');
    expect(unitValue(unit, 'ConditionPathExists')).toBe(config.tokenFile);
    expect(unitValue(unit, 'RestartPreventExitStatus')).toBe('2');
  });

  it('has a launcher that runs the shipped node with the agent\'s V8 flags', async () => {
    const template = await readFile(new URL('../../deploy/launcher.sh', import.meta.url), 'utf8');
    expect(template).toMatch(/^exec "\$lib\/node" @NODE_FLAGS@ "\$lib\/ctscope\.mjs" "\$@"$/m);
  });

  it('grants exactly the capabilities the agent needs, and keeps its state directory writable', () => {
    const caps = unitValue(unit, 'CapabilityBoundingSet').split(' ').sort();
    expect(caps).toEqual(['CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_SYSLOG']);
    expect(unitValue(unit, 'AmbientCapabilities').split(' ').sort()).toEqual(caps);
    expect(unitValue(unit, 'StateDirectory')).toBe('ctscope');
    expect(unitValue(unit, 'ProtectSystem')).toBe('strict');
  });
});
