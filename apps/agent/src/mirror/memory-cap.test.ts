import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assessMemory, BASE_BYTES, memoryNeeded, parseMemoryLimit, PEAK_BYTES_PER_ENTRY, readCgroupMemoryLimit } from './memory-cap';

const MB = 1024 * 1024;

describe('memory cap', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it('needs the base plus the measured bytes per entry of a full table', () => {
    expect(memoryNeeded(0)).toBe(BASE_BYTES);
    expect(memoryNeeded(1_048_576)).toBe(BASE_BYTES + 1_048_576 * PEAK_BYTES_PER_ENTRY);
    // 4M entries (kube-proxy on 128 cores) stay under the 1.2 GB.
    expect(memoryNeeded(4_194_304)).toBeLessThanOrEqual(1.2 * 1024 * MB);
    expect(Math.ceil(memoryNeeded(1_048_576) / MB)).toBe(288);
  });

  it('warns only when a full table would pass a cap', () => {
    expect(assessMemory(262_144, 768 * MB).exceeds).toBe(false);
    expect(assessMemory(8_388_608, 768 * MB)).toMatchObject({ exceeds: true, tableMax: 8_388_608, capBytes: 768 * MB });
    expect(assessMemory(8_388_608, null).exceeds).toBe(false);
  });

  it('reads limits as bytes, "max" and the v1 "unlimited" as none', () => {
    expect(parseMemoryLimit('805306368\n')).toBe(768 * MB);
    expect(parseMemoryLimit('max\n')).toBeNull();
    expect(parseMemoryLimit('9223372036854771712')).toBeNull();
    expect(parseMemoryLimit('garbage')).toBeNull();
  });

  it('takes the smallest memory.max on the cgroup v2 path, and none when there is none', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ctscope-cgroup-'));
    dirs.push(root);
    await mkdir(join(root, 'system.slice', 'ctscope-agent.service'), { recursive: true });
    await writeFile(join(root, 'system.slice', 'memory.max'), `${2048 * MB}\n`);
    await writeFile(join(root, 'system.slice', 'ctscope-agent.service', 'memory.max'), 'max\n');
    await writeFile(join(root, 'cgroup'), '0::/system.slice/ctscope-agent.service\n');
    expect(await readCgroupMemoryLimit(join(root, 'cgroup'), root)).toBe(2048 * MB);
    await writeFile(join(root, 'system.slice', 'ctscope-agent.service', 'memory.max'), `${768 * MB}\n`);
    expect(await readCgroupMemoryLimit(join(root, 'cgroup'), root)).toBe(768 * MB);
    await writeFile(join(root, 'system.slice', 'memory.max'), 'max\n');
    await writeFile(join(root, 'system.slice', 'ctscope-agent.service', 'memory.max'), 'max\n');
    expect(await readCgroupMemoryLimit(join(root, 'cgroup'), root)).toBeNull();
  });

  it('reads the cgroup v1 memory controller', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ctscope-cgroup-'));
    dirs.push(root);
    await mkdir(join(root, 'memory', 'agent'), { recursive: true });
    await writeFile(join(root, 'memory', 'agent', 'memory.limit_in_bytes'), `${512 * MB}\n`);
    await writeFile(join(root, 'cgroup'), '4:cpu,cpuacct:/agent\n3:memory:/agent\n');
    expect(await readCgroupMemoryLimit(join(root, 'cgroup'), root)).toBe(512 * MB);
  });
});
