// `npm test`: install what is missing, then typecheck, lint, and run unit, kernel and end-to-end tests.
// Under CI=true, kernel and browser tests must run: a missing prerequisite fails the run.
import { join } from 'node:path';
import { runStatus, say } from './lib/run.mjs';
import { ROOT, TEST_PACKAGES, checkNode, buildAgentBundle, buildNativeAddon, ensureDashboardBuild, ensureDebianPackages, ensureNpmDependencies, isCI } from './lib/setup.mjs';

const bin = (name) => join(ROOT, 'node_modules', '.bin', name);
const steps = [
  ['typecheck', bin('turbo'), ['run', 'typecheck', '--continue', '--output-logs=errors-only']],
  ['lint', bin('eslint'), ['--max-warnings=0', '.']],
  ['unit tests', bin('vitest'), ['run', '--project', 'unit']],
  ['kernel integration tests', bin('vitest'), ['run', '--project', 'kernel']],
  ['end-to-end tests', bin('playwright'), ['test', '--config', join(ROOT, 'e2e', 'playwright.config.ts')]],
];

try {
  checkNode();
  await ensureDebianPackages(TEST_PACKAGES, { required: isCI() });
  await ensureNpmDependencies();
  await ensureDashboardBuild();
  await buildNativeAddon();
  await buildAgentBundle();
} catch (err) {
  process.stderr.write(`\nnpm test setup failed: ${err.message}\n`);
  process.exit(1);
}

const results = [];
for (const [name, cmd, args] of steps) {
  say(name);
  const started = Date.now();
  const code = await runStatus(cmd, args, { cwd: ROOT, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', TURBO_TELEMETRY_DISABLED: '1' } });
  results.push({ name, ok: code === 0, seconds: Math.round((Date.now() - started) / 1000) });
}
process.stdout.write('\n');
for (const r of results) process.stdout.write(`${r.ok ? 'PASS' : 'FAIL'}  ${r.name} (${r.seconds} s)\n`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
