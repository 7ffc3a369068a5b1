// `npm run setup`: everything `npm test` needs, without running the tests.
import { prepareForTests } from './lib/steps.mjs';

try {
  await prepareForTests();
} catch (err) {
  process.stderr.write(`\nsetup failed: ${err.message}\n`);
  process.exit(1);
}
