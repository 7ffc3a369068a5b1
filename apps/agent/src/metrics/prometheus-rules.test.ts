import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const DIR = fileURLToPath(new URL('../../../../deploy/prometheus/', import.meta.url));
const PROMTOOL = '/usr/bin/promtool';

/** promtool comes with Debian's `prometheus` package, which the test setup installs; CI must have it. */
function skipWithoutPromtool(): boolean {
  if (existsSync(PROMTOOL)) return false;
  if (process.env.CI === 'true') throw new Error('CI=true requires promtool (Debian package prometheus; node scripts/setup.mjs installs it)');
  console.warn('skipping the Prometheus rules tests: promtool is missing (apt-get install prometheus)');
  return true;
}

async function promtool(args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(PROMTOOL, args, { cwd: DIR, timeout: 60_000 });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe.skipIf(skipWithoutPromtool())('deploy/prometheus/ctscope.rules.yml', () => {
  it('passes promtool check rules', async () => {
    const { code, out } = await promtool(['check', 'rules', 'ctscope.rules.yml']);
    expect(out).toContain('SUCCESS');
    expect(code, out).toBe(0);
  });

  it('passes its unit tests (promtool test rules)', async () => {
    const { code, out } = await promtool(['test', 'rules', 'ctscope.rules.test.yml']);
    expect(out).not.toContain('FAILED');
    expect(code, out).toBe(0);
  });

  it('has a firing and a quiet unit case for every alert', async () => {
    const rules = await readFile(`${DIR}ctscope.rules.yml`, 'utf8');
    const tests = await readFile(`${DIR}ctscope.rules.test.yml`, 'utf8');
    const alerts = [...rules.matchAll(/^\s+- alert: (\S+)$/gm)].map((m) => m[1] ?? '');
    expect(alerts).toEqual(['ConntrackTableNearlyFull', 'ConntrackTableFull', 'ConntrackInsertFailed', 'ConntrackDrop', 'ConntrackEarlyDrop', 'CtscopeEventsLost', 'CtscopeDiagnosis', 'CtscopeAgentDown', 'CtscopeAgentStale']);
    // Each alert_rule_test entry: `alertname: X` followed by `exp_alerts: []` (quiet) or a list (firing).
    const cases = [...tests.matchAll(/alertname: (\S+)\n\s+exp_alerts:( \[\])?/g)].map((m) => ({ name: m[1], quiet: m[2] !== undefined }));
    for (const name of alerts) {
      expect(cases.some((c) => c.name === name && !c.quiet), `${name} fires in some case`).toBe(true);
      expect(cases.some((c) => c.name === name && c.quiet), `${name} stays quiet in some case`).toBe(true);
    }
  });

  it('fails promtool when a rule no longer matches its tests', async () => {
    // The unit tests must be able to fail: a threshold moved from 95 % to 97 % breaks ConntrackTableFull's case.
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(`${tmpdir()}/ctscope-rules-`);
    try {
      const rules = (await readFile(`${DIR}ctscope.rules.yml`, 'utf8')).replace('> 0.95', '> 0.97');
      await writeFile(`${dir}/ctscope.rules.yml`, rules);
      await writeFile(`${dir}/ctscope.rules.test.yml`, await readFile(`${DIR}ctscope.rules.test.yml`, 'utf8'));
      const { code, out } = await promtool(['test', 'rules', `${dir}/ctscope.rules.test.yml`]);
      expect(code).not.toBe(0);
      expect(out).toContain('alertname: ConntrackTableFull');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
