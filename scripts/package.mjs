// `npm run package [-- --out DIR]`: the agent's tarball and .deb in dist/release/ (see scripts/lib/package/build.mjs).
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { say } from './lib/run.mjs';
import { buildRelease, RELEASE_DIR } from './lib/package/build.mjs';

try {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const started = Date.now();
  const release = await buildRelease({ outDir: values.out ? resolve(values.out) : RELEASE_DIR });
  say(`ctscope-agent ${release.version} in ${release.outDir} (${((Date.now() - started) / 1000).toFixed(1)} s, SOURCE_DATE_EPOCH=${release.epoch}):`);
  for (const f of release.files) process.stdout.write(`${f.sha256}  ${f.name}  (${(f.bytes / 1048576).toFixed(1)} MiB)\n`);
} catch (err) {
  process.stderr.write(`\nnpm run package failed: ${err.message}\n`);
  process.exit(1);
}
