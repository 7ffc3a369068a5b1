// `npm run demo`: the whole stack with the agent inside a throwaway network namespace full of real traffic.
import { join } from 'node:path';
import { runStatus } from './lib/run.mjs';
import { ROOT, RUNTIME_PACKAGES, checkNode, buildAgentBundle, buildNativeAddon, ensureDashboardBuild, ensureDebianPackages, ensureNpmDependencies, isRoot } from './lib/setup.mjs';
import { TSX } from './lib/stack.mjs';

try {
  checkNode();
  if (!isRoot()) throw new Error('the demo creates a network namespace and runs the agent in it: run it as root (sudo npm run demo)');
  await ensureDebianPackages([...RUNTIME_PACKAGES, 'iputils-ping'], { required: true });
  await ensureNpmDependencies();
  await ensureDashboardBuild();
  await buildNativeAddon();
  await buildAgentBundle();
} catch (err) {
  process.stderr.write(`\nnpm run demo failed: ${err.message}\n`);
  process.exit(1);
}
// The runner owns Ctrl-C handling and namespace cleanup; ignore the signal here and wait for it.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
process.exit(await runStatus(TSX, [join(ROOT, 'scripts', 'demo-run.ts')], { cwd: ROOT }));
