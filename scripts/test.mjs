// `npm test`: install what is missing, then check dependency floors, typecheck, lint, and run unit, kernel and end-to-end tests.
// Under CI=true, kernel and browser tests must run: a missing prerequisite fails the run.
import { join } from 'node:path';
import { bin, prepareForTests, runSteps } from './lib/steps.mjs';
import { ROOT } from './lib/setup.mjs';

const steps = [
  ['dependency floors', process.execPath, [join(ROOT, 'scripts', 'check-dependency-floors.mjs')]],
  ['typecheck', bin('turbo'), ['run', 'typecheck', '--continue', '--output-logs=errors-only']],
  ['lint', bin('eslint'), ['--max-warnings=0', '.']],
  ['unit tests', bin('vitest'), ['run', '--project', 'unit']],
  ['kernel integration tests', bin('vitest'), ['run', '--project', 'kernel']],
  ['end-to-end tests', bin('playwright'), ['test', '--config', join(ROOT, 'e2e', 'playwright.config.ts')]],
];

try {
  await prepareForTests();
} catch (err) {
  process.stderr.write(`\nnpm test setup failed: ${err.message}\n`);
  process.exit(1);
}
await runSteps(steps);
