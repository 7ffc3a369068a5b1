import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAgentConfig } from '../config';

const run = promisify(execFile);
const UNIT = new URL('../../deploy/ctscope-agent.service', import.meta.url);

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
  if (!line) throw new Error(`no ${key}= in the unit`);
  return line.slice(key.length + 1);
}

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
    expect(await verify(copy)).toBe('');
  });

  it.skipIf(missing !== null)('is checked for real: a broken copy is reported', async () => {
    const broken = join(dir, 'broken-agent.service');
    await writeFile(broken, (await withLauncher(unit)).replace('Restart=always', 'Restart=sometimes').replace('NoNewPrivileges=yes', 'NoNewPrivilege=yes'));
    const remarks = await verify(broken);
    expect(remarks).toMatch(/restart specifier.*sometimes/);
    expect(remarks).toMatch(/NoNewPrivilege/);
  });

  it('starts the packaged agent with options the agent accepts, once the token exists', () => {
    const [launcher, ...argv] = serviceValue(unit, 'ExecStart').split(' ');
    expect(launcher).toBe('/usr/bin/ctscope');
    expect(argv[0]).toBe('agent');
    const config = parseAgentConfig(argv.slice(1).map((a) => a.replace('${CTSCOPE_DASHBOARD}', 'https://ctscope.example.internal')), {});
    expect(config.tokenFile).toBe('/etc/ctscope/agent.token');
    expect(config.auditFile).toBe('/var/lib/ctscope/audit.jsonl');
    expect(serviceValue(unit, 'ConditionPathExists')).toBe(config.tokenFile);
    expect(serviceValue(unit, 'RestartPreventExitStatus')).toBe('2');
  });

  it('has a launcher that runs the shipped node with the agent\'s V8 flags', async () => {
    const template = await readFile(new URL('../../deploy/launcher.sh', import.meta.url), 'utf8');
    expect(template).toMatch(/^exec "\$lib\/node" @NODE_FLAGS@ "\$lib\/ctscope\.mjs" "\$@"$/m);
  });

  it('grants exactly the capabilities the agent needs, and keeps its state directory writable', () => {
    const caps = serviceValue(unit, 'CapabilityBoundingSet').split(' ').sort();
    expect(caps).toEqual(['CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_SYSLOG']);
    expect(serviceValue(unit, 'AmbientCapabilities').split(' ').sort()).toEqual(caps);
    expect(serviceValue(unit, 'StateDirectory')).toBe('ctscope');
    expect(serviceValue(unit, 'ProtectSystem')).toBe('strict');
  });
});
