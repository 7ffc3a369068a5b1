import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const TREE = pathToFileURL(fileURLToPath(new URL('../../scripts/lib/package/tree.mjs', import.meta.url))).href;
const WRITE_TREE = `
const [dir] = process.argv.slice(1);
const tree = await import(${JSON.stringify(TREE)});
await tree.writeRuntime(dir + '/lib/ctscope', tree.agentVersion());
tree.writeFile(dir + '/bin/ctscope', await tree.launcher(), 0o755);
`;

/**
 * The CLI as a host installs it (`/usr/bin/ctscope` of the .deb, `bin/ctscope` of the tarball): the
 * runtime tree `npm run package` ships, written from this checkout into a temporary directory. `bin`
 * is its launcher; `remove()` deletes the tree.
 */
export async function packagedCtscope(): Promise<{ bin: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'ctscope-bench-package-'));
  try {
    await promisify(execFile)(process.execPath, ['--input-type=module', '-e', WRITE_TREE, dir]);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return { bin: join(dir, 'bin', 'ctscope'), remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Says whether NODE_EXTRA_CA_CERTS is set: Node 20 parses that file at every start (~35 ms of CPU for Debian's CA bundle). */
export function extraCaNote(): string {
  const file = process.env.NODE_EXTRA_CA_CERTS;
  return file ? `NODE_EXTRA_CA_CERTS=${file} (the checkout's node pays for it at start; the packaged launcher drops it for list and -R)` : 'NODE_EXTRA_CA_CERTS unset';
}
