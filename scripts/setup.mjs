// `npm run setup`: everything `npm test` needs, without running the tests.
import { TEST_PACKAGES, checkNode, buildAgentBundle, buildNativeAddon, ensureDashboardBuild, ensureDebianPackages, ensureNpmDependencies, isCI } from './lib/setup.mjs';

try {
  checkNode();
  await ensureDebianPackages(TEST_PACKAGES, { required: isCI() });
  await ensureNpmDependencies();
  await ensureDashboardBuild();
  await buildNativeAddon();
  await buildAgentBundle();
} catch (err) {
  process.stderr.write(`\nsetup failed: ${err.message}\n`);
  process.exit(1);
}
