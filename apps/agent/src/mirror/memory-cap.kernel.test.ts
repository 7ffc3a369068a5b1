// The agent's cgroup memory limit read from a real cgroup: a throwaway memory cgroup with a limit, a
// real process moved into it, its /proc/PID/cgroup followed to the limit. Removed at the end.
import { spawn } from 'node:child_process';
import { access, mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { skipKernelTests } from '@ctscope/testkit';
import { describe, expect, it } from 'vitest';
import { readCgroupMemoryLimit } from './memory-cap';

const ROOT = '/sys/fs/cgroup';

/** Where a new memory cgroup can be made: v1's memory controller, or v2's unified tree with memory enabled. */
async function memoryHierarchy(): Promise<{ dir: string; file: string } | null> {
  if (await access(join(ROOT, 'memory', 'memory.limit_in_bytes')).then(() => true, () => false)) return { dir: join(ROOT, 'memory'), file: 'memory.limit_in_bytes' };
  const control = await readFile(join(ROOT, 'cgroup.subtree_control'), 'utf8').catch(() => '');
  return control.split(/\s+/).includes('memory') ? { dir: ROOT, file: 'memory.max' } : null;
}

describe.skipIf(skipKernelTests())('cgroup memory limit (real cgroup)', () => {
  it('follows a process to the limit of its memory cgroup, and finds none once the limit is lifted', async () => {
    const hierarchy = await memoryHierarchy();
    if (!hierarchy) return expect.fail('no writable memory cgroup hierarchy on this machine');
    const group = join(hierarchy.dir, `ctscope-test-${process.pid}-${Date.now()}`);
    await mkdir(group);
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      await writeFile(join(group, hierarchy.file), String(300 * 1024 * 1024));
      await writeFile(join(group, 'cgroup.procs'), String(child.pid));
      const procCgroup = `/proc/${child.pid}/cgroup`;
      expect(await readFile(procCgroup, 'utf8')).toContain(group.slice(hierarchy.dir.length));
      expect(await readCgroupMemoryLimit(procCgroup, ROOT)).toBe(300 * 1024 * 1024);
      await writeFile(join(group, hierarchy.file), hierarchy.file === 'memory.max' ? 'max' : '-1');
      expect(await readCgroupMemoryLimit(procCgroup, ROOT)).toBeNull();
    } finally {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      await rmdir(group);
    }
  });
});
