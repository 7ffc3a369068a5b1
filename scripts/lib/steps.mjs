// What `npm test` and `npm run soak` share: the setup tests need, and running named steps with a summary.
import { join } from 'node:path';
import { runStatus, say } from './run.mjs';
import { ROOT, TEST_PACKAGES, checkNode, buildAgentBundle, buildNativeAddon, ensureDashboardBuild, ensureDebianPackages, ensureNpmDependencies, isCI } from './setup.mjs';

export const bin = (name) => join(ROOT, 'node_modules', '.bin', name);

/** Installs and builds whatever the tests need; under CI=true a missing Debian package is an error. */
export async function prepareForTests() {
  checkNode();
  await ensureDebianPackages(TEST_PACKAGES, { required: isCI() });
  await ensureNpmDependencies();
  await ensureDashboardBuild();
  await buildNativeAddon();
  await buildAgentBundle();
}

/** Runs every step even after a failure, prints PASS/FAIL per step, and exits 0 only if all passed. */
export async function runSteps(steps, env = {}) {
  const results = [];
  for (const [name, cmd, args] of steps) {
    say(name);
    const started = Date.now();
    const code = await runStatus(cmd, args, { cwd: ROOT, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', TURBO_TELEMETRY_DISABLED: '1', ...env } });
    results.push({ name, ok: code === 0, seconds: Math.round((Date.now() - started) / 1000) });
  }
  process.stdout.write('\n');
  for (const r of results) process.stdout.write(`${r.ok ? 'PASS' : 'FAIL'}  ${r.name} (${r.seconds} s)\n`);
  process.exit(results.every((r) => r.ok) ? 0 : 1);
}
