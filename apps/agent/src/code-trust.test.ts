import { chmod, chown, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agentPackageDirs, findUntrustedCode, untrustedCodeMessage } from './code-trust';

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

// Real files with real owners: only root can give a file to another user.
describe.skipIf(!isRoot && process.env.CI !== 'true')('code the agent runs from', () => {
  let dir = '';
  let pkg = '';
  let node = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ctscope-trust-'));
    pkg = join(dir, 'lib', 'ctscope');
    await mkdir(join(pkg, 'dist', 'chunks'), { recursive: true });
    await writeFile(join(pkg, 'package.json'), '{"name":"ctscope-agent"}');
    await writeFile(join(pkg, 'dist', 'ctscope.mjs'), 'export {};');
    await writeFile(join(pkg, 'dist', 'chunks', 'a.mjs'), 'export {};');
    node = join(dir, 'node');
    await writeFile(node, '#!/bin/true', { mode: 0o755 });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));
  const check = () => findUntrustedCode({ node, launcher: join(pkg, 'dist', 'ctscope.mjs'), packageDirs: [pkg] });

  it('passes a tree only root can write', () => {
    expect(check()).toBeUndefined();
  });

  it('names a file of the package that belongs to another user', async () => {
    await chown(join(pkg, 'dist', 'chunks', 'a.mjs'), NOBODY, NOBODY);
    expect(check()).toEqual({ path: join(pkg, 'dist', 'chunks', 'a.mjs'), reason: `it belongs to uid ${NOBODY}, not root` });
  });

  it('names a file every user may write, and says how to fix it', async () => {
    await chmod(join(pkg, 'dist', 'chunks', 'a.mjs'), 0o666);
    const found = check();
    expect(found).toEqual({ path: join(pkg, 'dist', 'chunks', 'a.mjs'), reason: 'every user may write it' });
    expect(untrustedCodeMessage(found!)).toMatch(/refusing to run as root from .*a\.mjs: every user may write it.*chmod go-w/);
  });

  it('names a file a non-root group may write, but not one of group root', async () => {
    const file = join(pkg, 'dist', 'ctscope.mjs');
    await chmod(file, 0o664);
    expect(check()).toBeUndefined();
    await chown(file, 0, NOBODY);
    expect(check()).toEqual({ path: file, reason: `group ${NOBODY} may write it` });
  });

  it('names a directory on the way to the package that another user owns', async () => {
    await chown(join(dir, 'lib'), NOBODY, NOBODY);
    expect(check()?.path).toBe(join(dir, 'lib'));
  });

  it('names the node binary when another user may replace it', async () => {
    await chown(node, NOBODY, NOBODY);
    expect(check()?.path).toBe(node);
  });

  it('follows the launcher through a symbolic link to the real file', async () => {
    const bin = join(dir, 'bin');
    await mkdir(bin);
    await symlink(join(pkg, 'dist', 'ctscope.mjs'), join(bin, 'ctscope'));
    await chown(join(pkg, 'dist', 'ctscope.mjs'), NOBODY, NOBODY);
    expect(findUntrustedCode({ node, launcher: join(bin, 'ctscope'), packageDirs: [] })?.path).toBe(join(pkg, 'dist', 'ctscope.mjs'));
  });

  it('accepts a root-owned entry in a sticky world-writable directory such as /tmp', async () => {
    await chmod(dir, 0o1777);
    expect(check()).toBeUndefined();
  });
});

describe('the packages the agent loads', () => {
  it('are its own package and, transitively, its dependencies', () => {
    const dirs = agentPackageDirs(fileURLToPath(new URL('./agent.ts', import.meta.url)));
    const agentDir = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
    expect(dirs[0]).toBe(agentDir);
    expect(dirs.some((d) => d.endsWith('/packages/conntrack'))).toBe(true);
    // socket.io-client's own dependencies are found too.
    for (const name of ['pino', 'socket.io-client', 'engine.io-client', 'ws', 'zod', 'netlink']) expect(dirs.some((d) => d.endsWith(`/node_modules/${name}`))).toBe(true);
  });
});
